import Foundation

/// `session_data` in `django_session` as Django's `db` and `cached_db`
/// engines keep it (`SessionBase.encode`/`decode`): the JSON signed with
/// `signing.dumps(..., salt="django.contrib.sessions.SessionStore",
/// compress=True)` under `SECRET_KEY`. A Django shop sharing the table and the
/// key reads the sessions saved here and the other way round. A row that does
/// not verify (tampered, another key, Django's old pickled format) is no
/// session. The signing time plays no part: the row's `expire_date` rules.
public struct SessionDataSigning: Sendable {
    /// Django's `key_salt`: "django.contrib.sessions." + the engine's class name.
    static let salt = "django.contrib.sessions.SessionStore"
    private let signing: Signing

    public init(secretKey: String) {
        self.signing = Signing(secretKey: secretKey, salt: SessionDataSigning.salt)
    }

    public func encode(_ data: SessionData, now: Date = Date()) -> String {
        signing.signObject(json: SessionCoding.encodeBytes(data), compress: true, timestamp: Int(now.timeIntervalSince1970))
    }

    public func decode(_ text: String) -> SessionData? {
        guard let (json, _) = signing.unsignObject(text) else { return nil }
        return SessionCoding.decode(json)
    }
}
