import CLibPQ
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A NOTIFY received on a channel this connection listens to.
public struct PostgresNotification: Sendable {
    public var channel: String
    public var payload: String
    /// The server process that sent it (compare with `backendPID` to skip
    /// your own notifications).
    public var processID: Int32

    public init(channel: String, payload: String, processID: Int32 = 0) {
        self.channel = channel
        self.payload = payload
        self.processID = processID
    }
}

/// One libpq connection, used by one thread (a forked worker serves one
/// request at a time). Not thread-safe.
///
/// - Connects lazily on first use, so it can be built before `fork()`; a
///   connection opened in another process (the parent) is abandoned, never
///   shared.
/// - Before each statement a dead connection (server restart, terminated
///   backend) is noticed and re-opened; a connection that dies during a
///   statement throws `PostgresError` of kind `.connection` and the next call
///   reconnects. Inside `transaction { }` it never reconnects silently: every
///   call throws `.connection` until the transaction block has unwound.
/// - Statements with parameters (and plain reads) are prepared once per
///   connection and then run with `PQexecPrepared`; transaction control,
///   LISTEN, SET, DDL and multi-statement text without parameters go through
///   `PQexec`.
public final class PostgresConnection {
    /// Every statement run by `query`, `execute`, `executeScript`,
    /// `transaction`, `listen` and `notify`, with its duration. Session
    /// set-up after (re)connecting is not recorded.
    public let log: StatementLog

    /// When the prepared-statement cache reaches this many entries it is
    /// emptied (`DEALLOCATE ALL`): a guard against SQL built with a varying
    /// number of placeholders.
    public var maxPreparedStatements = 1_000

    /// Milliseconds after which the server cancels a running statement
    /// (`statement_timeout`; 0: the server's setting). Applied when a session is opened,
    /// so set it before the first statement. The pool sets it below
    /// REQUEST_TIMEOUT, so a statement stuck behind a lock ends with an error
    /// the worker can answer, instead of the worker being killed.
    public var statementTimeout = 0

    /// How often (ms) the server checks, during a long statement, that this
    /// client is still connected (`client_connection_check_interval`,
    /// PostgreSQL 14+; 0: the server's setting). A worker killed mid-statement thus leaves no
    /// backend behind running (or waiting for a lock) on its behalf.
    public var clientCheckInterval = 1_000

    /// How many times a server session has been opened (1 after the first
    /// connect). When it grows, LISTENs were re-issued but notifications sent
    /// while disconnected were lost: flush whatever they were guarding.
    public private(set) var connectionGeneration = 0

    /// How many replies ended with the server idle outside a transaction
    /// (ReadyForQuery status `I`). Before such a ReadyForQuery the server
    /// sends every notification it has been signalled about, so once this
    /// count has grown past a value read at some moment, every notification
    /// committed before that moment has reached `pendingNotifications()`.
    /// See `catchUpNotifications(since:)`.
    public private(set) var idleReplyCount = 0

    private let url: String
    private var conn: OpaquePointer?
    private var ownerPID: pid_t = 0
    private var prepared = PreparedStatements()
    /// How long this connection's reads wait by yielding before they sleep (`QuickReply`).
    private(set) var quickReply = QuickReply()
    private var statementCounter = 0
    private var transactionDepth = 0
    /// The server reported an open transaction after the last statement.
    private var serverInTransaction = false
    private var channels: [String] = []
    private let sessionState = SessionState()
    /// Failed connects in a row, and when the next may be tried: a server that
    /// refuses (down, or max_connections reached) is asked again after 100 ms,
    /// then 200, 400 ... up to 2 s, not on every statement. Meanwhile the last
    /// error is thrown again at once.
    private var connectFailures = 0
    private var nextConnectAttempt: UInt64 = 0
    private var lastConnectError: PostgresError?
    private static let maxConnectBackoff: UInt64 = 2_000_000_000

    /// Does not connect: the first statement (or `connect()`) does.
    public init(url: String) {
        self.url = url
        self.log = StatementLog()
    }

    deinit {
        dropConnection()
    }

    // MARK: Connection state

    /// True when a session is open and libpq believes it healthy (no network
    /// round trip).
    public var isConnected: Bool {
        guard let conn, ownerPID == CurrentProcess.id else { return false }
        return PQstatus(conn) == CONNECTION_OK
    }

    /// The server process id of the open session, or nil.
    public var backendPID: Int32? {
        guard isConnected, let conn else { return nil }
        return PQbackendPID(conn)
    }

    /// Opens the connection now (health checks; polling-only listeners).
    /// No-op when connected and alive.
    public func connect() throws {
        _ = try ready()
    }

    /// Nanoseconds before a new connect will be tried (0 when connected or
    /// when the next statement may try at once).
    public var connectBackoffRemaining: UInt64 {
        guard conn == nil || ownerPID != CurrentProcess.id, connectFailures > 0 else { return 0 }
        let now = Self.monotonicNanoseconds()
        return nextConnectAttempt > now ? nextConnectAttempt - now : 0
    }

    /// Closes the session. The next statement opens a new one (and
    /// re-issues LISTENs).
    public func close() {
        dropConnection()
    }

    // MARK: Statements

    /// Runs one statement and returns its rows (empty for commands).
    @discardableResult
    public func query(_ sql: String, _ params: [any PostgresBindable] = []) throws -> [PostgresRow] {
        let result = try perform(sql, params)
        defer { PQclear(result) }
        return Self.rows(of: result, limit: Int.max)
    }

    /// The first row, or nil when there is none.
    public func queryOne(_ sql: String, _ params: [any PostgresBindable] = []) throws -> PostgresRow? {
        let result = try perform(sql, params)
        defer { PQclear(result) }
        return Self.rows(of: result, limit: 1).first
    }

    /// The first column of the first row; nil when there is no row or it is NULL.
    public func scalar<T: PostgresDecodable>(_ sql: String, _ params: [any PostgresBindable] = [], as type: T.Type = T.self) throws -> T? {
        guard let row = try queryOne(sql, params), !row.columns.isEmpty, !row.isNull(0) else { return nil }
        return try row.get(0, as: T.self)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ params: [any PostgresBindable] = []) throws -> Int {
        let result = try perform(sql, params)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs several statements separated by semicolons (migrations) with
    /// `PQexec`. Outside a transaction the server runs them as one implicit
    /// transaction: all or nothing.
    public func executeScript(_ sql: String) throws {
        let result = try perform(sql, [], forceSimple: true)
        PQclear(result)
    }

    // MARK: Transactions

    /// Runs `body` in a transaction: BEGIN, then COMMIT, or ROLLBACK when
    /// `body` throws (the error is rethrown). Nested calls use savepoints, so
    /// an inner failure can be caught without losing the outer work.
    ///
    /// If `body` swallowed a failed statement, COMMIT turns into a rollback
    /// on the server: that throws `PostgresError` of kind `.transaction`.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth == 0 {
            try run("BEGIN")
            // Stays > 0 until COMMIT is done, so a session lost on the way
            // is reported, never silently replaced by a fresh one.
            transactionDepth = 1
            defer { transactionDepth = 0 }
            let value: T
            do {
                value = try body()
            } catch {
                if conn != nil { try? run("ROLLBACK") }
                throw error
            }
            let result = try perform("COMMIT", [])
            let status = String(cString: PQcmdStatus(result))
            PQclear(result)
            if status == "ROLLBACK" {
                throw PostgresError(kind: .transaction, message: "transaction was rolled back: a statement in it failed and its error was not propagated")
            }
            return value
        } else {
            let savepoint = "sp\(transactionDepth)"
            try run("SAVEPOINT \(savepoint)")
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            let value: T
            do {
                value = try body()
            } catch {
                if conn != nil {
                    try? run("ROLLBACK TO SAVEPOINT \(savepoint)")
                    try? run("RELEASE SAVEPOINT \(savepoint)")
                }
                throw error
            }
            try run("RELEASE SAVEPOINT \(savepoint)")
            return value
        }
    }

    /// True inside a `transaction { }` block.
    public var isInTransaction: Bool { transactionDepth > 0 }

    /// No transaction open, by `transaction { }` or by a statement: the next statement runs in
    /// a transaction of its own, with a snapshot taken after it was sent.
    public var isOutsideTransaction: Bool { transactionDepth == 0 && !serverInTransaction }

    // MARK: LISTEN / NOTIFY

    /// LISTEN on `channel` (quoted as an identifier). Remembered: re-issued
    /// whenever the connection is re-opened.
    public func listen(_ channel: String) throws {
        try run("LISTEN " + Self.quoteIdentifier(channel), forceSimple: true)
        if !channels.contains(channel) { channels.append(channel) }
    }

    public func unlisten(_ channel: String) throws {
        channels.removeAll { $0 == channel }
        try run("UNLISTEN " + Self.quoteIdentifier(channel), forceSimple: true)
    }

    /// `SELECT pg_notify($1, $2)`: delivered to listeners when the current
    /// transaction (if any) commits.
    public func notify(_ channel: String, payload: String) throws {
        PQclear(try perform("SELECT pg_notify($1, $2)", [channel, payload]))
    }

    /// Notifications that have arrived, without waiting. A lost connection is
    /// dropped here; it is re-opened (and LISTENs re-issued) by the next
    /// statement or `connect()`.
    public func pendingNotifications() -> [PostgresNotification] {
        guard let conn, ownerPID == CurrentProcess.id else { return [] }
        _ = PQconsumeInput(conn)
        let notifications = queuedNotifications()
        if (PQstatus(conn) != CONNECTION_OK || sessionState.serverIsClosing) && transactionDepth == 0 && !serverInTransaction {
            dropConnection()
        }
        return notifications
    }

    /// The notifications libpq has already read, without reading the socket: after a reply,
    /// every one the server sent before that reply's ReadyForQuery.
    public func queuedNotifications() -> [PostgresNotification] {
        guard let conn, ownerPID == CurrentProcess.id else { return [] }
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(conn) {
            notifications.append(PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                processID: notify.pointee.be_pid
            ))
            PQfreemem(notify)
        }
        return notifications
    }

    /// Makes sure that every notification committed before `mark` (a value of
    /// `idleReplyCount`) was read has arrived, so `pendingNotifications()`
    /// returns it. Free when a reply has completed since; otherwise one round
    /// trip that runs no statement (a protocol Sync, not logged as SQL).
    ///
    /// Why draining the socket (`PQconsumeInput`) is not enough on its own:
    /// a notifying transaction commits, then signals each listening backend
    /// (SIGUSR1), then answers its own client. The listening backend writes the
    /// notification to our socket only once the scheduler runs it. A client
    /// that got the saving response and sent us its next request has raced
    /// that backend, and it can win: the socket is still empty when we look
    /// (NotificationCatchUpTests: draining right after another connection's
    /// NOTIFY returned found nothing in about 30 of 50 rounds here). What is
    /// certain is that the signal was sent before the save's response, hence
    /// before the request we are serving arrived, so the backend's
    /// `notifyInterruptPending` is set by the time it reads any message we send
    /// now; and PostgresMain delivers pending notifications
    /// before it sends ReadyForQuery outside a transaction ("they'll be seen by
    /// the client before ReadyForQuery is", postgres.c). libpq queues them while
    /// it reads up to that ReadyForQuery. So one reply completed after `mark`
    /// is the proof; a Sync is the cheapest message that earns one.
    ///
    /// Returns false inside a transaction, where the server holds notifications
    /// back until the transaction ends: nothing can be proved there.
    @discardableResult
    public func catchUpNotifications(since mark: Int) throws -> Bool {
        if transactionDepth > 0 || serverInTransaction { return false }
        guard idleReplyCount <= mark || !isConnected else { return true }
        let connection = try ready()
        if idleReplyCount > mark { return true }  // just (re)connected: the caller's generation check empties its cache
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(kind: .query, message: "cannot enter pipeline mode: " + Self.trimmed(String(cString: PQerrorMessage(connection))))
        }
        defer { PQexitPipelineMode(connection) }
        guard PQpipelineSync(connection) == 1 else { throw failure(nil, connection) }
        var synced = false
        while !synced, let result = PQgetResult(connection) {
            synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC
            PQclear(result)
        }
        guard synced else { throw failure(nil, connection) }
        serverInTransaction = PQtransactionStatus(connection) != PQTRANS_IDLE
        if !serverInTransaction { idleReplyCount += 1 }
        return !serverInTransaction
    }

    // MARK: - Internals

    private static let lostInTransaction = "connection to the server was lost during a transaction"

    /// The live connection, opening or re-opening it when needed.
    private func ready() throws -> OpaquePointer {
        if let current = conn {
            if ownerPID != CurrentProcess.id {
                dropConnection()  // opened by the parent before fork()
            } else if PQstatus(current) == CONNECTION_OK && isAlive(current) {
                return current
            } else {
                let wasInTransaction = transactionDepth > 0 || serverInTransaction
                dropConnection()
                if wasInTransaction {
                    throw PostgresError(kind: .connection, message: Self.lostInTransaction)
                }
            }
        }
        if transactionDepth > 0 {
            throw PostgresError(kind: .connection, message: Self.lostInTransaction)
        }
        if connectFailures > 0, let error = lastConnectError, Self.monotonicNanoseconds() < nextConnectAttempt {
            throw error
        }
        do {
            let connection = try open()
            connectFailures = 0
            lastConnectError = nil
            return connection
        } catch let error as PostgresError {
            connectFailures += 1
            let delay = min(Self.maxConnectBackoff, 100_000_000 << UInt64(min(connectFailures - 1, 5)))
            nextConnectAttempt = Self.monotonicNanoseconds() + delay
            lastConnectError = error
            throw error
        }
    }

    private func open() throws -> OpaquePointer {
        var keywords = ["dbname", "fallback_application_name"]
        var values = [url, "shop"]
        if !url.contains("connect_timeout"), ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            keywords.append("connect_timeout"); values.append("10")
        }
        if !url.contains("client_encoding") {
            keywords.append("client_encoding"); values.append("UTF8")
        }
        let connection: OpaquePointer? = Self.withCStringArray(keywords) { keywordPointers in
            Self.withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message.isEmpty ? "could not connect to the server" : message)
        }
        // Notices are not printed. A FATAL "notice" is the server explaining
        // why it is about to close an idle session (pg_terminate_backend,
        // shutdown, idle timeout): remember it, so the session is replaced
        // before the next statement instead of failing it.
        sessionState.serverIsClosing = false
        PQsetNoticeReceiver(connection, { argument, notice in
            guard let argument, let notice,
                  let severity = PQresultErrorField(notice, Int32(UInt8(ascii: "V")))
            else { return }
            let level = String(cString: severity)
            if level == "FATAL" || level == "PANIC" {
                Unmanaged<SessionState>.fromOpaque(argument).takeUnretainedValue().serverIsClosing = true
            }
        }, Unmanaged.passUnretained(sessionState).toOpaque())

        var setup = "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, MDY'"
        // 0 keeps the server's (or the role's) own setting.
        if statementTimeout > 0 { setup += "; SET statement_timeout TO \(statementTimeout)" }
        if clientCheckInterval > 0 && PQserverVersion(connection) >= 140000 {
            setup += "; SET client_connection_check_interval TO \(clientCheckInterval)"
        }
        for channel in channels {
            setup += "; LISTEN " + Self.quoteIdentifier(channel)
        }
        let result = PQexec(connection, setup)
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        if status != PGRES_COMMAND_OK {
            let message = result.flatMap { Self.errorField($0, "M") } ?? Self.trimmed(String(cString: PQerrorMessage(connection)))
            if let result { PQclear(result) }
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: "session set-up failed: \(message)")
        }
        PQclear(result)

        conn = connection
        ownerPID = CurrentProcess.id
        prepared.removeAll()
        statementCounter = 0
        serverInTransaction = false
        connectionGeneration += 1
        idleReplyCount += 1  // the set-up's reply
        return connection
    }

    /// Notices a connection the server closed, or announced it is closing,
    /// while we were idle (restart, pg_terminate_backend, idle timeout):
    /// costs one poll() when nothing is pending.
    private func isAlive(_ connection: OpaquePointer) -> Bool {
        if sessionState.serverIsClosing { return false }
        let socket = PQsocket(connection)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        var rounds = 0
        while rounds < 4 && poll(&descriptor, 1, 0) > 0 {
            if PQconsumeInput(connection) == 0 { return false }
            _ = PQisBusy(connection)  // parses what arrived (notifications, a FATAL notice)
            descriptor.revents = 0
            rounds += 1
        }
        return PQstatus(connection) == CONNECTION_OK && !sessionState.serverIsClosing
    }

    private func dropConnection() {
        guard let current = conn else { return }
        conn = nil
        prepared.removeAll()
        serverInTransaction = false
        if ownerPID == CurrentProcess.id {
            PQfinish(current)
        } else {
            // Opened by the parent before fork(): sending Terminate would end
            // the parent's session. Close our copy of the socket and let the
            // PGconn leak (once per fork).
            closeDescriptor(PQsocket(current))
        }
    }

    /// Runs one statement (or a script) and returns a successful result,
    /// which the caller must PQclear. Records it in the log.
    private func perform(_ sql: String, _ params: [any PostgresBindable], forceSimple: Bool = false) throws -> OpaquePointer {
        let connection = try ready()
        let started = Self.monotonicNanoseconds()
        defer {
            log.record(sql, milliseconds: Double(Self.monotonicNanoseconds() &- started) / 1_000_000)
        }
        let result: OpaquePointer?
        if params.isEmpty && (forceSimple || runsUnprepared(sql)) {
            result = PQexec(connection, sql)
        } else {
            result = try Self.withParameters(params) { values, count in
                try executePrepared(connection, sql, values, count)
            }
        }
        return try checked(result, connection)
    }

    private func run(_ sql: String, forceSimple: Bool = false) throws {
        PQclear(try perform(sql, [], forceSimple: forceSimple))
    }

    private func executePrepared(
        _ connection: OpaquePointer, _ sql: String,
        _ values: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int32
    ) throws -> OpaquePointer? {
        let name = try prepared[sql] ?? prepare(connection, sql, count)
        let read = QuickReply.isRead(sql)
        let result = read ? quickReply.execPrepared(connection, name, count, values)
            : PQexecPrepared(connection, name, count, values, nil, nil, 0)
        guard let result, Self.isCachedPlanError(result) else { return result }
        // The table changed shape under a cached statement: forget it (the
        // old server-side statement stays, unused) and, when not inside a
        // transaction (which the error has aborted), prepare again once.
        prepared[sql] = nil
        guard PQtransactionStatus(connection) == PQTRANS_IDLE else { return result }
        PQclear(result)
        let fresh = try prepare(connection, sql, count)
        return read ? quickReply.execPrepared(connection, fresh, count, values)
            : PQexecPrepared(connection, fresh, count, values, nil, nil, 0)
    }

    private func prepare(_ connection: OpaquePointer, _ sql: String, _ count: Int32) throws -> String {
        if prepared.count >= maxPreparedStatements {
            let status = PQtransactionStatus(connection)
            if status == PQTRANS_IDLE || status == PQTRANS_INTRANS {
                if let result = PQexec(connection, "DEALLOCATE ALL") { PQclear(result) }
                prepared.removeAll()
            }
        }
        statementCounter += 1
        let name = "s\(statementCounter)"
        let result = PQprepare(connection, name, sql, count, nil)
        guard let result, PQresultStatus(result) == PGRES_COMMAND_OK else {
            throw failure(result, connection)
        }
        PQclear(result)
        prepared[sql] = name
        return name
    }

    private func checked(_ result: OpaquePointer?, _ connection: OpaquePointer) throws -> OpaquePointer {
        guard let result else { throw failure(nil, connection) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            serverInTransaction = PQtransactionStatus(connection) != PQTRANS_IDLE
            if !serverInTransaction { idleReplyCount += 1 }
            return result
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            dropConnection()  // stuck in COPY mode; start afresh
            throw PostgresError(kind: .query, message: "COPY is not supported by PostgresConnection")
        default:
            throw failure(result, connection)
        }
    }

    /// Builds the error for a failed result (and clears it). A connection
    /// that is no longer usable is dropped and reported as `.connection`.
    private func failure(_ result: OpaquePointer?, _ connection: OpaquePointer) -> PostgresError {
        var error = PostgresError(kind: .query, message: "")
        if let result {
            error.sqlState = Self.errorField(result, "C")
            error.message = Self.errorField(result, "M") ?? Self.trimmed(String(cString: PQresultErrorMessage(result)))
            error.detail = Self.errorField(result, "D")
            error.constraint = Self.errorField(result, "n")
            PQclear(result)
        }
        if error.message.isEmpty {
            error.message = Self.trimmed(String(cString: PQerrorMessage(connection)))
        }
        if error.message.isEmpty { error.message = "statement failed" }
        if PQstatus(connection) != CONNECTION_OK {
            error.kind = .connection
            dropConnection()
        } else {
            serverInTransaction = PQtransactionStatus(connection) != PQTRANS_IDLE
            if !serverInTransaction { idleReplyCount += 1 }
        }
        return error
    }

    private static func isCachedPlanError(_ result: OpaquePointer) -> Bool {
        guard PQresultStatus(result) == PGRES_FATAL_ERROR, errorField(result, "C") == "0A000" else { return false }
        return errorField(result, "M")?.contains("cached plan must not change result type") ?? false
    }

    private static func errorField(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let value = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: value)
    }

    private static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Results

    private static func rows(of result: OpaquePointer, limit: Int) -> [PostgresRow] {
        let columnCount = Int(PQnfields(result))
        guard columnCount > 0 else { return [] }
        let rowCount = min(Int(PQntuples(result)), limit)
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            columns.append(String(cString: PQfname(result, column)))
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) != 0 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, row, column)!).assumingMemoryBound(to: UInt8.self)
                    cells.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
        }
        let storage = PostgresResultStorage(columns: columns, cells: cells)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append(PostgresRow(storage: storage, row: row))
        }
        return rows
    }

    // MARK: Helpers

    /// `runsUnprepared`, remembered for the last few statements: the catalog's check, which has
    /// no parameters, is classified on every request otherwise (a scan of all its bytes).
    private func runsUnprepared(_ sql: String) -> Bool {
        if let known = unpreparedStatements[sql] { return known }
        let unprepared = Self.runsUnprepared(sql)
        unpreparedStatements[sql] = unprepared
        return unprepared
    }
    private var unpreparedStatements = RecentValues<Bool>()

    /// Statements without parameters that are not prepared: transaction
    /// control, LISTEN/NOTIFY, settings, DDL and maintenance, and any text
    /// holding more than one statement.
    static func runsUnprepared(_ sql: String) -> Bool {
        var keyword: [UInt8] = []
        var state = 0  // 0 leading space, 1 first keyword, 2 rest, 3 after a ';'
        for byte in sql.utf8 {
            let isSpace = byte == 32 || byte == 9 || byte == 10 || byte == 13
            let isLetter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            switch state {
            case 0:
                if isSpace { continue }
                if !isLetter { state = byte == 59 ? 3 : 2; continue }
                keyword.append(byte & 0xDF)
                state = 1
            case 1:
                if isLetter && keyword.count < 12 { keyword.append(byte & 0xDF); continue }
                if unpreparedKeywords.contains(String(decoding: keyword, as: UTF8.self)) { return true }
                state = byte == 59 ? 3 : 2
            case 2:
                if byte == 59 { state = 3 }
            default:
                if !isSpace && byte != 59 { return true }  // a second statement
            }
        }
        return state == 1 && unpreparedKeywords.contains(String(decoding: keyword, as: UTF8.self))
    }

    private static let unpreparedKeywords: Set<String> = [
        "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE",
        "LISTEN", "UNLISTEN", "NOTIFY", "SET", "RESET", "SHOW", "DISCARD", "DEALLOCATE",
        "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE", "COMMENT", "SECURITY",
        "VACUUM", "ANALYZE", "ANALYSE", "CLUSTER", "REINDEX", "LOCK", "DO", "COPY", "CHECKPOINT",
        "LOAD", "REFRESH", "IMPORT", "REASSIGN",
    ]

    /// `"name"` with embedded quotes doubled (NUL bytes removed).
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Text parameters as one buffer of NUL-terminated strings plus a
    /// pointer per parameter (nil = NULL).
    private static func withParameters<R>(
        _ params: [any PostgresBindable],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int32) throws -> R
    ) throws -> R {
        if params.isEmpty { return try body(nil, 0) }
        var texts: [String?] = []
        texts.reserveCapacity(params.count)
        var total = 0
        for param in params {
            let text = param.postgresText
            total += (text?.utf8.count ?? 0) + 1
            texts.append(text)
        }
        // One buffer, reserved once, each text copied whole and searched for a NUL by memchr:
        // the session's data, most of the bytes, was appended and checked byte by byte.
        var buffer: [CChar] = []
        buffer.reserveCapacity(total)
        var offsets: [Int] = []
        offsets.reserveCapacity(params.count)
        for (position, text) in texts.enumerated() {
            guard var text else { offsets.append(-1); continue }
            offsets.append(buffer.count)
            let hasNul = text.withUTF8 { bytes in
                buffer.append(contentsOf: UnsafeRawBufferPointer(bytes).assumingMemoryBound(to: CChar.self))  // Int8 and UInt8 may alias
                return bytes.count > 0 && memchr(bytes.baseAddress!, 0, bytes.count) != nil
            }
            if hasNul { throw PostgresError(kind: .query, message: "parameter $\(position + 1) contains a NUL byte") }
            buffer.append(0)
        }
        return try buffer.withUnsafeBufferPointer { storage in
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(offsets.count)
            for offset in offsets {
                pointers.append(offset < 0 ? nil : storage.baseAddress! + offset)
            }
            return try pointers.withUnsafeBufferPointer { try body($0.baseAddress, Int32(offsets.count)) }
        }
    }

    private static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var duplicates: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        duplicates.append(nil)
        defer { for pointer in duplicates { free(pointer) } }
        let pointers = duplicates.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #elseif canImport(Darwin)
    _ = Darwin.close(descriptor)
    #endif
}

/// Written by the libpq notice receiver of the current session.
private final class SessionState {
    var serverIsClosing = false
}
