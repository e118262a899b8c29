import CFastCGI
import Glibc

/// One worker's accept loop over libfcgi. Not thread-safe: one worker, one thread, one request.
///
///     while !context.shouldStop, acceptor.accept() {
///         context.requestStarted()
///         ... acceptor.forEachParameter { ... }, acceptor.readBody(limit:), acceptor.respond(...)
///         acceptor.finish()
///         context.requestFinished()
///     }
public final class FastCGIAcceptor {
    /// Heap-allocated because libfcgi's streams keep pointers back into the request.
    private let request: UnsafeMutablePointer<FCGX_Request>
    private var inRequest = false
    /// The request's body has been read to its end (or it declared none); see `finish()`.
    private var bodyConsumed = false
    /// nginx's wish to keep connections has been logged (once per worker; see `finish()`).
    private var warnedOfKeptConnections = false

    public init(listeningSocket fd: Int32) throws {
        guard FCGX_Init() == 0 else { throw FastCGIError("FastCGI: libfcgi failed to initialise") }
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        guard FCGX_InitRequest(request, fd, 0) == 0 else {
            request.deallocate()
            throw FastCGIError("FastCGI: FCGX_InitRequest failed on fd \(fd)")
        }
    }

    deinit {
        finish()
        // Finish_r already freed the streams; close a kept-alive connection if one is left.
        // (Older libfcgi's OS_Close does FD_CLR(fd) unguarded, so never hand it -1.)
        if request.pointee.ipcFd >= 0 { FCGX_Free(request, 1) }
        request.deallocate()
    }

    /// Blocks until the next request; false when the worker should stop (accept failed or the
    /// listening socket was withdrawn by a shutdown signal). Finishes the previous request.
    public func accept() -> Bool {
        inRequest = false
        bodyConsumed = false
        // FCGX_Accept_r retries EINTR itself; it fails only when accept() really fails.
        let rc = FCGX_Accept_r(request)
        guard rc >= 0 else {
            let code = -rc
            // ENOTSOCK/EBADF/EINVAL are what a worker sees after its shutdown signal; stay quiet then.
            if code != ENOTSOCK && code != EBADF && code != EINVAL {
                logToStderr("fastcgi: accept failed in worker \(getpid()): \(String(cString: strerror(code)))")
            }
            return false
        }
        inRequest = true
        return true
    }

    /// One parameter, looked up in libfcgi's list (the body's `CONTENT_LENGTH`).
    private func parameter(_ name: String) -> String? {
        guard inRequest, let envp = request.pointee.envp, let value = FCGX_GetParam(name, envp) else {
            return nil
        }
        return String(cString: value)
    }

    /// Reads the request body: CONTENT_LENGTH bytes, or until EOF when there is no length.
    /// A body over `limit` is drained and dropped, so the response can still go out cleanly.
    public func readBody(limit: Int) -> (body: [UInt8], tooLarge: Bool) {
        guard inRequest, let input = request.pointee.in else { return ([], false) }
        let declared = parameter("CONTENT_LENGTH").flatMap { Int($0) }
        if let declared {
            if declared <= 0 {
                bodyConsumed = true
                return ([], false)
            }
            if declared > limit {
                drain(input)
                bodyConsumed = true
                return ([], true)
            }
            let body = readUpTo(declared, from: input)
            bodyConsumed = body.count == declared
            return (body, false)
        }
        // No length (rare behind nginx): read to EOF, one byte past the limit to detect overflow.
        let body = readUpTo(limit + 1, from: input)
        if body.count > limit {
            drain(input)
            bodyConsumed = true
            return ([], true)
        }
        bodyConsumed = true
        return (body, false)
    }

    /// Writes the status line, headers, blank line and body. Small responses go out in one
    /// FCGX_PutStr; large bodies get a second call rather than a copy.
    public func respond(status: Int, reason: String, headers: [(name: String, value: String)], body: [UInt8]) {
        guard inRequest, let output = request.pointee.out else { return }
        var head = ResponseHead.encode(status: status, reason: reason, headers: headers)
        if body.count <= 16 * 1024 {
            head.append(contentsOf: body)
            put(head, to: output)
        } else {
            put(head, to: output)
            put(body, to: output)
        }
    }

    /// Finishes the current request: flushes the response and closes nginx's connection.
    ///
    /// libfcgi's own close shuts the worker's side down and then sleeps until nginx hangs up
    /// (up to 2 s), so that input still on its way can never make the connection reset and
    /// lose the response. Once the request's input has been read to its end, nothing more is
    /// coming: the worker closes at once and is free for the next connection, instead of
    /// sleeping until nginx's event loop gets round to its close (a blocking `poll`, a `read`
    /// and two context switches a request, and a worker idle meanwhile). A request whose body
    /// is still unread keeps libfcgi's lingering close.
    ///
    /// A connection nginx asked to keep (`fastcgi_keep_conn on`) is closed all the same: a worker
    /// kept waiting on it could serve no other connection, and with more connections than
    /// workers (several nginx workers, each with its own cache of kept connections) requests
    /// would wait in the accept queue until nginx gave one up. Closing costs nginx a new
    /// connection, and its next request on the closed one, should it be that quick, fails and
    /// is retried if it is a GET (README, "Deploying").
    public func finish() {
        guard inRequest else { return }
        if request.pointee.keepConnection != 0 {
            request.pointee.keepConnection = 0
            warnOnceOfKeptConnections()
        }
        // FCGX_Free closes without the shutdown and the wait when the request is "detached".
        if inputReadToItsEnd() { request.pointee.detached = 1 }
        inRequest = false
        FCGX_Finish_r(request)
    }

    // MARK: - Private

    private func warnOnceOfKeptConnections() {
        guard !warnedOfKeptConnections else { return }
        warnedOfKeptConnections = true
        logToStderr("fastcgi: nginx asks to keep its connections (fastcgi_keep_conn on); worker \(getpid()) "
            + "closes each after its response: remove fastcgi_keep_conn and the upstream's keepalive")
    }

    /// True when nginx has nothing more to send for this request: its stdin stream has ended
    /// (or failed). A body that was read whole, or never declared, leaves only the empty
    /// record that ends the stream, which nginx sends with the request: read it.
    private func inputReadToItsEnd() -> Bool {
        guard let input = request.pointee.in else { return false }
        if FCGX_HasSeenEOF(input) == EOF { return true }
        let declared = parameter("CONTENT_LENGTH") ?? ""
        guard bodyConsumed || declared.isEmpty || declared == "0" else { return false }
        // A byte here is a body nobody declared (and nobody read): then keep the lingering close.
        return FCGX_GetChar(input) == EOF && FCGX_HasSeenEOF(input) == EOF
    }

    /// Each CGI parameter of the current request, its name and value as libfcgi holds them
    /// (valid only during the call), in the order nginx sent them: for building what a request
    /// needs without copying what it does not.
    public func forEachParameter(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        guard inRequest, var entry = request.pointee.envp else { return }
        // envp is a NULL-terminated array of "NAME=value" C strings; walk it once.
        while let cString = entry.pointee {
            let all = UnsafeRawBufferPointer(start: cString, count: strlen(cString))
            if let equals = all.firstIndex(of: UInt8(ascii: "=")) {
                body(UnsafeRawBufferPointer(rebasing: all[..<equals]), UnsafeRawBufferPointer(rebasing: all[(equals + 1)...]))
            }
            entry += 1
        }
    }

    private func readUpTo(_ count: Int, from input: UnsafeMutablePointer<FCGX_Stream>) -> [UInt8] {
        var filled = 0
        let body = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while filled < count {
                let chunk = Int32(min(count - filled, 1 << 20))
                let got = (buffer.baseAddress! + filled).withMemoryRebound(to: CChar.self, capacity: Int(chunk)) {
                    FCGX_GetStr($0, chunk, input)
                }
                if got <= 0 { break }
                filled += Int(got)
            }
            initialized = filled
        }
        return body
    }

    private func drain(_ input: UnsafeMutablePointer<FCGX_Stream>) {
        // Bounded by nginx's client_max_body_size; reading it all keeps the connection clean.
        var scratch = [CChar](repeating: 0, count: 64 * 1024)
        let size = Int32(scratch.count)
        while scratch.withUnsafeMutableBufferPointer({ FCGX_GetStr($0.baseAddress, size, input) }) > 0 {}
    }

    private func put(_ bytes: [UInt8], to output: UnsafeMutablePointer<FCGX_Stream>) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = FCGX_PutStr($0, Int32(buffer.count), output)
            }
        }
    }
}

func logToStderr(_ line: String) {
    var text = line
    text.append("\n")
    text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
