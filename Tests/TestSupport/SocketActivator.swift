import Foundation

/// What systemd does for shop.socket + shop.service: it owns a listening unix socket and
/// starts `shop serve` with that socket as fd 3, LISTEN_FDS=1 and LISTEN_PID set to the
/// service's own pid; the socket stays open (connections queue) while the service restarts.
public final class SocketActivator {
    public let socketPath: String
    public let logPath: String
    public private(set) var pid: pid_t = 0
    private let listener: Int32

    public init(directory: String) throws {
        socketPath = directory + "/shop.sock"
        logPath = directory + "/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard listener >= 0, bound == 0, listen(listener, 1024) == 0 else { throw HarnessError("cannot listen on \(socketPath)") }
        chmod(socketPath, 0o666)
    }

    /// Starts `binary serve` as systemd would (LISTEN_PID is set by the shell that execs it).
    public func start(binary: String, environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listener, 3)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_APPEND, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let script = "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" serve"
        let arguments: [String] = ["/bin/sh", "-c", script, binary]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        guard posix_spawn(&child, "/bin/sh", &actions, nil, argv, envp) == 0 else { throw HarnessError("posix_spawn failed") }
        pid = child
    }

    /// SIGTERM (systemctl stop/restart) and wait for the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard pid > 0 else { return -1 }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
        return (status >> 8) & 0xFF
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        stop()
        close(listener)
    }
}
