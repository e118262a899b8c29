/// Django's `url_has_allowed_host_and_scheme`, narrowed to what the shop needs:
/// a `next` parameter may only name a path on this site. So a login link
/// cannot send staff on to another site (`//evil.example`, `/\evil.example`,
/// `https://evil.example`, `javascript:...`).
public enum SafeRedirect {
    public static func isSafePath(_ url: String) -> Bool {
        guard !url.isEmpty, url.utf8.count <= 2048 else { return false }
        // Browsers treat `\` as `/`, and ignore control characters and leading spaces.
        if url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return false }
        let normalized = url.replacingOccurrences(of: "\\", with: "/")
        guard normalized.hasPrefix("/"), !normalized.hasPrefix("//") else { return false }
        return true
    }

    /// `next` if it is safe, else `fallback`.
    public static func target(_ next: String?, fallback: String) -> String {
        guard let next, isSafePath(next) else { return fallback }
        return next
    }
}
