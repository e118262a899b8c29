import Foundation
import Postgres

/// `auth_user`: the queries of Django's User model that the shop needs.
public struct Users {
    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    public enum CreateError: Error, CustomStringConvertible {
        case invalidUsername
        case usernameTaken(String)
        case blankPassword
        case invalidEmail(String)

        public var description: String {
            switch self {
            case .invalidUsername: "the username must be 1 to 150 characters of letters, digits and @.+-_"
            case .usernameTaken(let name): "the username '\(name)' is already taken"
            case .blankPassword: "the password must not be blank"
            case .invalidEmail(let email): "'\(email)' is not a valid e-mail address"
            }
        }
    }

    static let columns = "id, username, email, password, is_staff, is_superuser, is_active, last_login"

    public func find(id: Int) throws -> User? {
        try database.queryOne("SELECT \(Users.columns) FROM auth_user WHERE id = $1", [id]).map(Users.user)
    }

    public func find(username: String) throws -> User? {
        try database.queryOne("SELECT \(Users.columns) FROM auth_user WHERE username = $1", [username]).map(Users.user)
    }

    static func user(_ row: PostgresRow) throws -> User {
        User(id: try row.get("id"), username: try row.get("username"), email: try row.get("email"),
             password: try row.get("password"), isStaff: try row.get("is_staff"),
             isSuperuser: try row.get("is_superuser"), isActive: try row.get("is_active"),
             lastLogin: try row.get("last_login", as: Date?.self))
    }

    public func setPassword(userID: Int, encoded: String) throws {
        try database.execute("UPDATE auth_user SET password = $2 WHERE id = $1", [userID, encoded])
    }

    public func updateLastLogin(userID: Int) throws {
        try database.execute("UPDATE auth_user SET last_login = now() WHERE id = $1", [userID])
    }

    /// `createsuperuser`: an active staff superuser. Returns the new id.
    @discardableResult
    public func createSuperuser(username: String, email: String, password: String,
                                iterations: Int = PasswordHasher.defaultIterations) throws -> Int {
        guard (1...150).contains(username.count),
              username.allSatisfy({ $0.isLetter || $0.isNumber || "@.+-_".contains($0) })
        else { throw CreateError.invalidUsername }
        guard !password.isEmpty else { throw CreateError.blankPassword }
        if !email.isEmpty, !(email.contains("@") && email.count <= 254 && !email.contains(where: \.isWhitespace)) {
            throw CreateError.invalidEmail(email)
        }
        do {
            return try database.scalar("""
                INSERT INTO auth_user (username, email, password, is_staff, is_superuser, is_active, date_joined)
                VALUES ($1, $2, $3, true, true, true, now()) RETURNING id
                """, [username, email, PasswordHasher.encode(password, iterations: iterations)], as: Int.self) ?? 0
        } catch let error as PostgresError where error.isUniqueViolation {
            throw CreateError.usernameTaken(username)
        }
    }
}
