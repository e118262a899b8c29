/// What makes a `SECRET_KEY` fit for production, as Django's deploy check
/// (`security.W009`) has it, plus the two keys this project itself ships:
/// the example file's placeholder and the fixed key of `Settings()` for tests.
/// Everything signed (session cookies, CSRF) is only as secret as this key.
public enum SecretKeyPolicy {
    public static let minimumLength = 50
    public static let minimumDistinctCharacters = 5
    /// Django's startproject marks its throwaway keys with this prefix.
    public static let insecurePrefix = "django-insecure-"
    /// The value in deploy/shop.env.example; a copied example must not go live.
    public static let examplePlaceholder = "change-me-to-a-long-random-string-see-the-comment-above-this-line"

    /// Why `key` is unfit for production, or nil when it passes.
    public static func weakness(of key: String, developmentKey: String) -> String? {
        if key == examplePlaceholder {
            return "is the placeholder from shop.env.example: generate a real one"
        }
        if key == developmentKey {
            return "is the development key written in the source: generate a real one"
        }
        if key.hasPrefix(insecurePrefix) {
            return "starts with '\(insecurePrefix)', Django's mark of a throwaway key: generate a real one"
        }
        if key.count < minimumLength {
            return "is too short (\(key.count) characters): use at least \(minimumLength) random characters"
        }
        if Set(key).count < minimumDistinctCharacters {
            return "has fewer than \(minimumDistinctCharacters) distinct characters: use a random one"
        }
        return nil
    }

    /// A fresh key from the kernel's CSPRNG that passes `weakness(of:)`.
    public static func generate() -> String {
        RandomString.make(length: 64, alphabet: Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".utf8))
    }
}
