/// Django's CSRF protection: a 32-character secret per visitor in the
/// `csrftoken` cookie, and a freshly masked 64-character token in every form
/// (`csrfmiddlewaretoken`), so the token on the page differs on every response
/// (BREACH) while any of them unmasks to the cookie's secret.
public final class CSRF {
    public static let cookieName = "csrftoken"
    public static let formField = "csrfmiddlewaretoken"
    public static let headerName = "x-csrftoken"
    static let secretLength = 32
    static let alphabet = TokenAlphabet.alphanumeric

    /// The secret from the cookie, when it is well-formed.
    private var secret: String?
    /// True when the response must (re)set the cookie.
    public private(set) var cookieNeedsUpdate = false

    public init(cookieValue: String?) {
        if let cookieValue, CSRF.isWellFormed(cookieValue, length: CSRF.secretLength) {
            secret = cookieValue
        }
    }

    /// The masked token for a form; creates the secret (and so the cookie) on first use.
    public func token() -> String {
        let secret = self.secret ?? {
            let fresh = CSRF.randomString()
            self.secret = fresh
            cookieNeedsUpdate = true
            return fresh
        }()
        return CSRF.mask(secret)
    }

    /// The token of this request's page: masked on first use, then the same for every form
    /// of the page (Django's lazy `csrf_token` is evaluated once per page too).
    public func pageToken() -> String {
        if let maskedForPage { return maskedForPage }
        let masked = token()
        maskedForPage = masked
        return masked
    }

    private var maskedForPage: String?

    /// After login: a new secret, so a token captured before cannot be replayed.
    public func rotate() {
        secret = CSRF.randomString()
        maskedForPage = nil
        cookieNeedsUpdate = true
    }

    public var cookieValue: String? { secret }

    /// Why a POST is refused, or nil when its token is valid.
    public func rejectionReason(submittedToken: String?) -> String? {
        guard let secret else { return "CSRF cookie not set." }
        guard let submittedToken, !submittedToken.isEmpty else { return "CSRF token missing." }
        let candidate: String
        if submittedToken.utf8.count == 2 * CSRF.secretLength, CSRF.isWellFormed(submittedToken, length: 2 * CSRF.secretLength) {
            candidate = CSRF.unmask(submittedToken)
        } else if CSRF.isWellFormed(submittedToken, length: CSRF.secretLength) {
            candidate = submittedToken
        } else {
            return "CSRF token has incorrect length or characters."
        }
        return ConstantTime.equals(candidate, secret) ? nil : "CSRF token incorrect."
    }

    static func isWellFormed(_ value: String, length: Int) -> Bool {
        value.utf8.count == length && TokenAlphabet.isAlphanumeric(value)
    }

    static func randomString(length: Int = secretLength) -> String {
        RandomString.make(length: length, alphabet: alphabet)
    }

    static func index(_ byte: UInt8) -> Int { Int(alphabetIndex[Int(byte)]) }

    /// Byte → its position in `alphabet` (every token byte was checked to be in it).
    private static let alphabetIndex: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for (position, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(position) }
        return table
    }()

    /// Django's `_mask_cipher_secret`: a fresh random mask, then the secret shifted by it.
    /// Written into the token's own storage: the mask made as a string, copied to an array
    /// and zipped with the secret's UTF-8 view was 1.9% of a cart page's worker samples.
    static func mask(_ secret: String) -> String {
        var secret = secret
        return secret.withUTF8 { secretBytes in
            precondition(secretBytes.count == secretLength, "a CSRF secret is \(secretLength) characters")
            return String(unsafeUninitializedCapacity: 2 * secretLength) { token in
                RandomString.fill(UnsafeMutableBufferPointer(rebasing: token[..<secretLength]), alphabet: alphabet)
                for position in 0..<secretLength {
                    token[secretLength + position] =
                        alphabet[(index(secretBytes[position]) + index(token[position])) % alphabet.count]
                }
                return 2 * secretLength
            }
        }
    }

    /// A masked token's secret (the token is `2 * secretLength` characters of the alphabet),
    /// written into the string's own storage as `mask` writes the token.
    static func unmask(_ token: String) -> String {
        var token = token
        return token.withUTF8 { bytes in
            precondition(bytes.count == 2 * secretLength, "a masked CSRF token is \(2 * secretLength) characters")
            return String(unsafeUninitializedCapacity: secretLength) { secret in
                for position in 0..<secretLength {
                    let cipher = index(bytes[secretLength + position]), mask = index(bytes[position])
                    secret[position] = alphabet[(cipher - mask + alphabet.count) % alphabet.count]
                }
                return secretLength
            }
        }
    }
}
