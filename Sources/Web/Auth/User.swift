import Foundation

/// A row of `auth_user`, as Django's auth app keeps it.
public struct User: Sendable, Equatable {
    public var id: Int
    public var username: String
    public var email: String
    /// `pbkdf2_sha256$...`; never shown.
    public var password: String
    public var isStaff: Bool
    public var isSuperuser: Bool
    public var isActive: Bool
    public var lastLogin: Date?

    /// Django's `get_session_auth_hash`: an HMAC of the password hash, kept in the
    /// session so that a password change ends every other session of the user.
    public func sessionAuthHash(secretKey: String) -> String {
        SaltedHMAC.hex(keySalt: "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
                       value: password, secret: secretKey)
    }
}
