import Foundation

/// `session_data` in `django_session` as Django's `db` and `cached_db`
/// engines keep it (`SessionBase.encode`/`decode`): the JSON signed with
/// `signing.dumps(..., salt="django.contrib.sessions.SessionStore",
/// compress=True)` under `SECRET_KEY`, compressed only when long
/// (`compressAbove`). A Django shop sharing the table and the key reads the
/// sessions saved here and the other way round. A row that does not verify
/// (tampered, another key, Django's old pickled format) is no session. The
/// signing time plays no part: the row's `expire_date` rules.
public struct SessionDataSigning: Sendable {
    /// Django's `key_salt`: "django.contrib.sessions." + the engine's class name.
    static let salt = "django.contrib.sessions.SessionStore"
    private let signing: Signing

    public init(secretKey: String) {
        self.signing = Signing(secretKey: secretKey, salt: SessionDataSigning.salt)
    }

    /// Django compresses every session it signs when that makes it shorter; this shop only a
    /// session whose JSON is longer than this. For a 3-line cart (some 180 bytes of JSON)
    /// zlib's set-up and Huffman trees cost more than its HMAC, JSON and base64 together (libz
    /// was 6.5% of the worker's CPU on add-to-cart under wrk) to save about 100 bytes of its
    /// row. Django's `signing.loads` reads both forms, and a session this long still fits,
    /// signed, in `SessionChangeBoard`'s entries uncompressed.
    static let compressAbove = 512

    public func encode(_ data: SessionData, now: Date = Date()) -> String {
        let json = SessionCoding.encodeBytes(data)
        return signing.signObject(json: json, compress: json.count > SessionDataSigning.compressAbove,
                                  timestamp: Int(now.timeIntervalSince1970))
    }

    public func decode(_ text: String) -> SessionData? {
        guard let (json, _) = signing.unsignObject(text) else { return nil }
        return SessionCoding.decode(json)
    }
}
