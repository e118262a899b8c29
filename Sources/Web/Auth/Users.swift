import Postgres

/// `auth_user`, as Django's auth app keeps it.
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

    /// `createsuperuser`: an active staff superuser. Returns the new id.
    @discardableResult
    public func createSuperuser(username: String, email: String, password: String, iterations: Int = PasswordHasher.defaultIterations) throws -> Int {
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
