/// The values of `SESSION_ENGINE`. Django's dotted names are accepted too.
public enum SessionEngineName: String, CaseIterable, Sendable {
    case cachedDatabase = "cached_db"
    case database = "db"
    case file = "file"
    case cache = "cache"
    case signedCookies = "signed_cookies"

    public init?(setting: String) {
        let short = setting.split(separator: ".").last.map(String.init) ?? setting
        self.init(rawValue: short)
    }
}
