import CFastCGI
import Glibc

/// Opens the listening socket once, in the master, before any worker is forked.
///
/// The socket is made here rather than with FCGX_OpenSocket: Debian's libfcgi calls
/// `exit(errno)` when bind/listen fails (so the operator would see "bind/listen: ..." and no word
/// of LISTEN), and it reads any unix path ending in ":digits" as host:port. libfcgi only needs
/// the fd (FCGX_InitRequest takes it as is).
///
/// For a unix socket a stale file left by a crashed pool is removed first, but a socket that
/// still answers (another live pool) or a path that is not a socket is refused rather than
/// clobbered. The socket is made mode 0666 so nginx's worker user can connect.
public func openListeningSocket(_ address: ListenAddress, backlog: Int32 = 1024) throws -> Int32 {
    // Initialise libfcgi here, in the master, so every forked worker inherits it. It installs its
    // own SIGPIPE/SIGUSR1 handlers only where the disposition is still SIG_DFL.
    guard FCGX_Init() == 0 else {
        throw FastCGIError("LISTEN: libfcgi failed to initialise")
    }
    switch address {
    case .unix(let path):
        return try openUnixSocket(path, backlog: backlog)
    case .tcp(let host, let port):
        return try openTCPSocket(host: host, port: port, backlog: backlog)
    }
}

private func openUnixSocket(_ path: String, backlog: Int32) throws -> Int32 {
    try removeStaleSocket(at: path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw listenError("unix:\(path)") }
    var address = unixAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0, listen(fd, backlog) == 0 else {
        let error = listenError("unix:\(path)")
        close(fd)
        throw error
    }
    guard chmod(path, 0o666) == 0 else {
        let error = FastCGIError("LISTEN: cannot chmod 0666 \(path): \(String(cString: strerror(errno)))")
        close(fd)
        unlink(path)
        throw error
    }
    return fd
}

private func openTCPSocket(host: String, port: Int, backlog: Int32) throws -> Int32 {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr = try resolveIPv4(host, port: port)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw listenError("\(host):\(port)") }
    var on: Int32 = 1
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0, listen(fd, backlog) == 0 else {
        let error = listenError("\(host):\(port)")
        close(fd)
        throw error
    }
    return fd
}

/// libfcgi speaks IPv4 only (its accept path keeps a sockaddr_in), so this resolves to IPv4.
private func resolveIPv4(_ host: String, port: Int) throws -> in_addr {
    var numeric = in_addr()
    if inet_pton(AF_INET, host, &numeric) == 1 { return numeric }
    var hints = addrinfo()
    hints.ai_family = AF_INET
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var results: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, &hints, &results)
    defer { if results != nil { freeaddrinfo(results) } }
    guard status == 0, let first = results, let raw = first.pointee.ai_addr else {
        throw FastCGIError("LISTEN: cannot resolve host \"\(host)\" to an IPv4 address")
    }
    return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
}

private func listenError(_ spec: String) -> FastCGIError {
    FastCGIError("LISTEN: cannot listen on \(spec): \(String(cString: strerror(errno)))")
}

private func removeStaleSocket(at path: String) throws {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }  // nothing there
    guard info.st_mode & S_IFMT == S_IFSOCK else {
        throw FastCGIError("LISTEN: \(path) exists and is not a socket; refusing to remove it")
    }
    if socketAnswers(path) {
        throw FastCGIError("LISTEN: \(path) is in use by a running server")
    }
    guard unlink(path) == 0 || errno == ENOENT else {
        throw FastCGIError("LISTEN: cannot remove stale socket \(path): \(String(cString: strerror(errno)))")
    }
}

/// True when something accepts connections on the unix socket at `path`.
private func socketAnswers(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = unixAddress(path)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
        }
    }
}

/// ListenAddress has checked that the path fits sun_path with its NUL.
private func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
    }
    return address
}
