import Foundation

/// Every setting of the shop, read once at start from the environment into one
/// typed value (Django's settings.py, as environment variables). A bad value
/// stops start-up with a message that names the setting.
public struct Settings: Sendable {
    public var databaseURL: String
    public var secretKey: String
    /// True when `SECRET_KEY` was unset under DEBUG and a random key was made for this
    /// run (in the master, so every worker shares it); `shop serve` says so on stderr.
    public var secretKeyIsGenerated = false
    public var debug: Bool
    /// INTERNAL_IPS: client addresses (REMOTE_ADDR, exactly) that see the DEBUG SQL footer.
    public var internalIPs: [String]
    public var allowedHosts: [String]
    public var listen: String
    public var workers: Int
    public var maxRequests: Int
    public var requestTimeout: Int
    public var mediaRoot: String
    public var staticRoot: String
    public var templatesDirectory: String
    public var demoDirectory: String
    /// Bodies above this many bytes are refused with 413 before they are read.
    public var maxBodySize: Int
    /// What a multipart body may hold: DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES,
    /// DATA_UPLOAD_MAX_MEMORY_SIZE (the text fields) and FILE_UPLOAD_MAX_SIZE (one file).
    public var uploadLimits: MultipartLimits

    public var sessionEngine: SessionEngineName
    public var sessionCookieName: String
    public var sessionCookieAge: Int
    public var sessionCookieDomain: String?
    public var sessionCookieSecure: Bool
    public var sessionExpireAtBrowserClose: Bool
    public var sessionSaveEveryRequest: Bool
    public var sessionFilePath: String
    public var sessionCacheSize: Int
    /// CATALOG_CACHE_SIZE: products each worker keeps in cached catalog pages, and
    /// as many again looked up by id; bounds a worker's catalog memory whatever the catalog's size.
    public var catalogCacheSize: Int
    public var cacheURL: String
    public var csrfCookieSecure: Bool
    /// PBKDF2 iterations for new password hashes (Django 5.2's 1,000,000); not an
    /// environment setting: tests lower it, as Django's tests use a faster hasher.
    public var passwordIterations = PasswordHasher.defaultIterations

    /// Safe defaults for tests (DEBUG on, a fixed key that DEBUG=0 refuses).
    public init(databaseURL: String = "postgresql://postgres@127.0.0.1:5432/shop") {
        self.databaseURL = databaseURL
        self.secretKey = Settings.developmentSecretKey
        self.debug = true
        self.internalIPs = ["127.0.0.1", "::1"]
        self.allowedHosts = ["localhost", "127.0.0.1", "[::1]", "testserver"]
        self.listen = "unix:/run/shop/shop.sock"
        self.workers = Settings.coreCount
        self.maxRequests = 0
        self.requestTimeout = 30
        self.mediaRoot = "media"
        self.staticRoot = "Public"
        self.templatesDirectory = "Templates"
        self.demoDirectory = "deploy/demo"
        self.maxBodySize = 10 * 1024 * 1024
        self.uploadLimits = MultipartLimits()
        self.sessionEngine = .cachedDatabase
        self.sessionCookieName = "sessionid"
        self.sessionCookieAge = 1_209_600
        self.sessionCookieDomain = nil
        self.sessionCookieSecure = false
        self.sessionExpireAtBrowserClose = false
        self.sessionSaveEveryRequest = false
        self.sessionFilePath = NSTemporaryDirectory()
        self.sessionCacheSize = 10_000
        self.catalogCacheSize = Settings.defaultCatalogCacheSize
        self.cacheURL = "redis://127.0.0.1:6379/0"
        self.csrfCookieSecure = false
    }

    /// The fixed key of `Settings()`, for tests only: `fromEnvironment` never uses it.
    static let developmentSecretKey = "development-secret-key-not-for-production-use-0123456789"

    public static let defaultCatalogCacheSize = 4_800

    static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Reads the settings from `environment`; throws a `SettingsError` naming the bad setting.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        let reader = EnvironmentReader(environment: environment)
        var settings = Settings()
        settings.debug = try reader.bool("DEBUG", default: false)
        settings.databaseURL = reader.string("DATABASE_URL", default: "postgresql://postgres@127.0.0.1:5432/shop")
        settings.secretKey = reader.string("SECRET_KEY", default: "")
        if settings.secretKey.isEmpty {
            guard settings.debug else {
                throw SettingsError(setting: "SECRET_KEY", message: "is required when DEBUG is off (use at least \(SecretKeyPolicy.minimumLength) random characters)")
            }
            // Never a key written in the source: anyone could sign cookies with it.
            settings.secretKey = SecretKeyPolicy.generate()
            settings.secretKeyIsGenerated = true
        } else if !settings.debug, let weakness = SecretKeyPolicy.weakness(of: settings.secretKey, developmentKey: developmentSecretKey) {
            throw SettingsError(setting: "SECRET_KEY", message: weakness)
        }
        settings.internalIPs = reader.list("INTERNAL_IPS", default: ["127.0.0.1", "::1"])
        for address in settings.internalIPs where !IPAddress.isValid(address) {
            throw SettingsError(setting: "INTERNAL_IPS", message: "has '\(address)', which is not an IP address")
        }
        // Unset or empty: this machine's own names, so a fresh install answers on loopback.
        settings.allowedHosts = reader.list("ALLOWED_HOSTS", default: [])
        if settings.allowedHosts.isEmpty { settings.allowedHosts = ["localhost", "127.0.0.1", "[::1]"] }
        settings.listen = reader.string("LISTEN", default: "unix:/run/shop/shop.sock")
        settings.workers = try reader.int("WORKERS", default: coreCount, range: 1...512)
        settings.maxRequests = try reader.int("MAX_REQUESTS", default: 0, range: 0...Int.max)
        settings.requestTimeout = try reader.int("REQUEST_TIMEOUT", default: 30, range: 0...86_400)
        settings.mediaRoot = reader.string("MEDIA_ROOT", default: "media")
        settings.staticRoot = reader.string("STATIC_ROOT", default: "Public")
        settings.templatesDirectory = reader.string("TEMPLATES_DIR", default: "Templates")
        settings.demoDirectory = reader.string("DEMO_DIR", default: "deploy/demo")
        settings.maxBodySize = try reader.int("MAX_BODY_SIZE", default: 10 * 1024 * 1024, range: 1024...1 << 30)
        let limits = MultipartLimits()
        settings.uploadLimits.maxFields = try reader.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default: limits.maxFields, range: 1...1_000_000)
        settings.uploadLimits.maxFiles = try reader.int("DATA_UPLOAD_MAX_NUMBER_FILES", default: limits.maxFiles, range: 0...100_000)
        settings.uploadLimits.maxFieldBytes = try reader.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default: limits.maxFieldBytes, range: 1024...1 << 30)
        settings.uploadLimits.maxFileBytes = try reader.int("FILE_UPLOAD_MAX_SIZE", default: limits.maxFileBytes, range: 1...1 << 30)
        let engine = reader.string("SESSION_ENGINE", default: SessionEngineName.cachedDatabase.rawValue)
        guard let parsed = SessionEngineName(setting: engine) else {
            throw SettingsError(setting: "SESSION_ENGINE", message: "must be one of \(SessionEngineName.allCases.map(\.rawValue).joined(separator: ", ")), not '\(engine)'")
        }
        settings.sessionEngine = parsed
        settings.sessionCookieName = reader.string("SESSION_COOKIE_NAME", default: "sessionid")
        guard CookieName.isValid(settings.sessionCookieName) else {
            throw SettingsError(setting: "SESSION_COOKIE_NAME", message: "is not a valid cookie name")
        }
        settings.sessionCookieAge = try reader.int("SESSION_COOKIE_AGE", default: 1_209_600, range: 1...Int(Int32.max))
        let domain = reader.string("SESSION_COOKIE_DOMAIN", default: "")
        settings.sessionCookieDomain = domain.isEmpty ? nil : domain
        settings.sessionCookieSecure = try reader.bool("SESSION_COOKIE_SECURE", default: false)
        settings.sessionExpireAtBrowserClose = try reader.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default: false)
        settings.sessionSaveEveryRequest = try reader.bool("SESSION_SAVE_EVERY_REQUEST", default: false)
        settings.sessionFilePath = reader.string("SESSION_FILE_PATH", default: NSTemporaryDirectory())
        settings.sessionCacheSize = try reader.int("SESSION_CACHE_SIZE", default: 10_000, range: 0...10_000_000)
        settings.catalogCacheSize = try reader.int("CATALOG_CACHE_SIZE", default: defaultCatalogCacheSize, range: 0...10_000_000)
        settings.cacheURL = reader.string("CACHE_URL", default: "redis://127.0.0.1:6379/0")
        settings.csrfCookieSecure = try reader.bool("CSRF_COOKIE_SECURE", default: false)
        return settings
    }
}

public struct SettingsError: Error, CustomStringConvertible {
    public var setting: String
    public var message: String
    public var description: String { "\(setting) \(message)" }
}

/// Reads typed values out of environment variables.
struct EnvironmentReader {
    var environment: [String: String]

    func string(_ name: String, default value: String) -> String {
        environment[name] ?? value
    }

    func list(_ name: String, default value: [String]) -> [String] {
        guard let raw = environment[name] else { return value }
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return value }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw SettingsError(setting: name, message: "must be true or false (1/0), not '\(raw)'")
        }
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw SettingsError(setting: name, message: "must be a whole number in \(range.lowerBound)...\(range.upperBound), not '\(raw)'")
        }
        return number
    }
}
