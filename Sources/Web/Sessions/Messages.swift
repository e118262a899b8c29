/// Django's messages framework over the session: one-time notices that the
/// next rendered page shows, then forgets.
public final class Messages {
    public enum Level: String, Sendable { case debug, info, success, warning, error }

    public struct Message: Sendable, Equatable {
        public var level: Level
        public var text: String
    }

    static let sessionKey = "_messages"
    private let session: Session
    private var added: [Message] = []
    private var consumed = false

    init(session: Session) { self.session = session }

    public func add(_ level: Level, _ text: String) { added.append(Message(level: level, text: text)) }
    public func success(_ text: String) { add(.success, text) }
    public func info(_ text: String) { add(.info, text) }
    public func warning(_ text: String) { add(.warning, text) }
    public func error(_ text: String) { add(.error, text) }

    /// The messages to show now (stored ones first); they are gone after this response.
    /// Reading the session costs nothing for a visitor without one.
    public func consume() -> [Message] {
        consumed = true
        return stored() + added
    }

    private func stored() -> [Message] {
        guard session.browserSentKey, let list = session[Messages.sessionKey]?.arrayValue else { return [] }
        return list.compactMap { item in
            guard let object = item.objectValue, let text = object["message"]?.stringValue else { return nil }
            return Message(level: Level(rawValue: object["level"]?.stringValue ?? "") ?? .info, text: text)
        }
    }

    /// Called once the view has answered: keeps what was not shown for the next page.
    func persist() throws {
        let pending: [Message]
        if consumed {
            pending = []
        } else {
            pending = stored() + added
        }
        let hadStored = session.browserSentKey && session[Messages.sessionKey] != nil
        if pending.isEmpty {
            if hadStored { try session.removeValue(forKey: Messages.sessionKey) }
        } else if !(added.isEmpty && !consumed) {
            try session.setValue(.array(pending.map { .object(["level": .string($0.level.rawValue), "message": .string($0.text)]) }), forKey: Messages.sessionKey)
        }
    }
}
