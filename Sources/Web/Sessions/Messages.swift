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
    /// What the page showed, once it asked.
    private var shown: [Message]?

    init(session: Session) { self.session = session }

    public func add(_ level: Level, _ text: String) { added.append(Message(level: level, text: text)) }
    public func success(_ text: String) { add(.success, text) }
    public func info(_ text: String) { add(.info, text) }
    public func warning(_ text: String) { add(.warning, text) }
    public func error(_ text: String) { add(.error, text) }

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
        guard session.browserSentKey, let list = session[Messages.sessionKey]?.arrayValue else { return [] }
        return list.compactMap { item in
            guard let object = item.objectValue, let text = object["message"]?.stringValue else { return nil }
            return Message(level: Level(rawValue: object["level"]?.stringValue ?? "") ?? .info, text: text)
        }
    }

    /// Called once the view has answered: keeps for the next page what this one did not show.
    func persist() throws {
        let hadStored = session.browserSentKey && session[Messages.sessionKey] != nil
        let pending = (shown == nil ? stored() : []) + added
        if pending.isEmpty {
            if hadStored { try session.removeValue(forKey: Messages.sessionKey) }
        } else if shown != nil || !added.isEmpty {
            try session.setValue(.array(pending.map { .object(["level": .string($0.level.rawValue), "message": .string($0.text)]) }), forKey: Messages.sessionKey)
        }
    }
}
