/// Django's messages framework over the session: one-time notices that the
/// next rendered page shows, then forgets. Kept as Django's `SessionStorage`
/// keeps them, so a notice added by a Django shop sharing the sessions shows
/// here and the other way round: under `_messages`, a string holding the JSON
/// of Django's `MessageEncoder`, one `["__json_message", is_safe, level,
/// message, extra_tags]` per message.
public final class Messages {
    public enum Level: String, Sendable {
        case debug, info, success, warning, error

        /// Django's `messages.constants`.
        var number: Int {
            switch self {
            case .debug: 10
            case .info: 20
            case .success: 25
            case .warning: 30
            case .error: 40
            }
        }

        /// A custom level of Django's shows as the nearest standard one below it.
        init(number: Int) {
            switch number {
            case ..<20: self = .debug
            case ..<25: self = .info
            case ..<30: self = .success
            case ..<40: self = .warning
            default: self = .error
            }
        }
    }

    static let encoderKey = "__json_message"

    public struct Message: Sendable, Equatable {
        public var level: Level
        public var text: String
    }

    static let sessionKey = "_messages"
    private let session: Session
    private var added: [Message] = []
    /// What the page showed, once it asked.
    private var shown: [Message]?

    init(session: Session) { self.session = session }

    public func add(_ level: Level, _ text: String) { added.append(Message(level: level, text: text)) }
    public func success(_ text: String) { add(.success, text) }
    public func info(_ text: String) { add(.info, text) }
    public func warning(_ text: String) { add(.warning, text) }
    public func error(_ text: String) { add(.error, text) }

    /// Whether this request added any message (stored ones are in the session).
    public var addedAny: Bool { !added.isEmpty }

    /// The messages to show now (stored ones first); they are gone after this
    /// response. The first call decides what the page shows; later calls return
    /// the same list. Reading costs nothing for a visitor without a session.
    public func consume() -> [Message] {
        if let shown { return shown }
        let list = stored() + added
        shown = list
        added = []
        return list
    }

    private func stored() -> [Message] {
        guard session.browserSentKey, let stored = session[Messages.sessionKey] else { return [] }
        return Messages.decode(stored)
    }

    /// Django's `MessageDecoder` over what `SessionStorage` stored. A message
    /// Django marked safe (HTML) is still escaped here: its markup shows as text.
    static func decode(_ stored: SessionValue) -> [Message] {
        guard let text = stored.stringValue, let list = SessionJSON.decode(text)?.arrayValue else { return [] }
        return list.compactMap { item in
            guard let fields = item.arrayValue, fields.count >= 4, fields[0].stringValue == encoderKey,
                  let level = fields[2].intValue, let text = fields[3].stringValue else { return nil }
            return Message(level: Level(number: level), text: text)
        }
    }

    /// Django's `MessageEncoder` (messages added through Django's API have `extra_tags` "").
    static func encode(_ messages: [Message]) -> SessionValue {
        .string(SessionJSON.encode(.array(messages.map {
            [.string(encoderKey), 0, .int($0.level.number), .string($0.text), ""]
        })))
    }

    /// Called once the view has answered: keeps for the next page what this one did not show.
    func persist() throws {
        let hadStored = session.browserSentKey && session[Messages.sessionKey] != nil
        let pending = (shown == nil ? stored() : []) + added
        if pending.isEmpty {
            if hadStored { try session.removeValue(forKey: Messages.sessionKey) }
        } else if shown != nil || !added.isEmpty {
            try session.setValue(Messages.encode(pending), forKey: Messages.sessionKey)
        }
    }
}
