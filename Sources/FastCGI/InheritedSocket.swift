import CFastCGI
import Glibc

/// A listening socket this process did not open but was handed, open, at exec():
///
/// - by systemd socket activation (`shop.socket`): `LISTEN_FDS` sockets from fd 3, counted only
///   when `LISTEN_PID` is this process (the variables may have leaked from a parent), as
///   sd_listen_fds(3) and gunicorn's systemd.py read them;
/// - by the master that re-executed a new build on SIGUSR2: `SHOP_FD`, and `SHOP_PARENT_PID`,
///   the old master to stop once this one's workers run.
///
/// The socket outlives the process that serves it, so a restart or an upgrade never makes
/// nginx find it gone: connections wait in its backlog until the new workers accept them.
public struct InheritedSocket: Sendable {
    public enum Origin: Equatable, Sendable {
        /// systemd owns the socket (and its file): never unlink it.
        case systemd
        /// The old master, to be told to stop once this master's workers run.
        case reexec(parentPID: Int32)
    }

    public let descriptor: Int32
    public let origin: Origin

    /// The handed-over socket, or nil when there is none. The variables are removed from the
    /// environment either way, so they reach no child. Throws when they name something that is
    /// not a listening socket.
    public static func take() throws -> InheritedSocket? {
        let listenPID = environment("LISTEN_PID")
        let listenFDs = environment("LISTEN_FDS")
        let shopFD = environment("SHOP_FD")
        let parentPID = environment("SHOP_PARENT_PID")
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "SHOP_FD", "SHOP_PARENT_PID"] { unsetenv(name) }

        if let listenPID, Int32(listenPID) == getpid(), let count = listenFDs.flatMap({ Int($0) }), count > 0 {
            guard count == 1 else {
                throw FastCGIError("LISTEN_FDS=\(count): the pool serves one socket; give shop.socket one ListenStream")
            }
            return InheritedSocket(descriptor: try checked(3, "LISTEN_FDS"), origin: .systemd)
        }
        if let shopFD {
            guard let fd = Int32(shopFD), fd >= 0 else { throw FastCGIError("SHOP_FD=\(shopFD) is not a descriptor") }
            return InheritedSocket(descriptor: try checked(fd, "SHOP_FD"), origin: .reexec(parentPID: parentPID.flatMap { Int32($0) } ?? 0))
        }
        return nil
    }

    /// A stream socket in the listening state; made close-on-exec, and libfcgi initialised.
    private static func checked(_ fd: Int32, _ variable: String) throws -> Int32 {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else {
            throw FastCGIError("\(variable): descriptor \(fd) is not a listening socket")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard FCGX_Init() == 0 else { throw FastCGIError("libfcgi failed to initialise") }
        return fd
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
