import Glibc

/// SIGUSR2, as gunicorn's and nginx's binary upgrade: fork, and exec the program file now on
/// disk (a new build installed over the old one) with the same arguments, the listening socket
/// left open for it (SHOP_FD) and this master's pid (SHOP_PARENT_PID). The new master starts
/// its workers on the same socket and then stops this one gracefully (SIGTERM), so the socket
/// never disappears and no request is refused.
struct Reexec {
    /// The executable this master was started from (read at start: once the file is replaced,
    /// /proc/self/exe names the deleted one).
    let executable: String
    let arguments: [String]

    static func current() -> Reexec? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        var path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        return Reexec(executable: path, arguments: CommandLine.arguments)
    }

    /// Forks the new master; returns its pid, or nil when fork failed. The child never returns.
    func spawn(listeningSocket: Int32, masterPID: Int32, restoreMask: sigset_t) -> Int32? {
        // Everything exec needs is built before fork: the child only calls async-signal-safe code.
        var environment = [String]()
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if !text.hasPrefix("SHOP_FD=") && !text.hasPrefix("SHOP_PARENT_PID=") && !text.hasPrefix("LISTEN_") {
                environment.append(text)
            }
            index += 1
        }
        environment.append("SHOP_FD=\(listeningSocket)")
        environment.append("SHOP_PARENT_PID=\(masterPID)")
        let argv = ([executable] + arguments.dropFirst()).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let failure = Array("pool: exec of the new master failed\n".utf8)
        let openMax = Int32(min(max(sysconf(Int32(_SC_OPEN_MAX)), 1024), 1 << 16))
        fflush(nil)
        let pid = fork()
        if pid == 0 {
            // Handlers go back to default at exec; the blocked mask would not.
            for signo in Signals.managed { signal(signo, SIG_DFL) }
            var mask = restoreMask
            sigprocmask(SIG_SETMASK, &mask, nil)
            // Only stdin, stdout, stderr and the socket cross exec: whatever else this master
            // holds open (a supervisor's pipe, say) must not be kept alive by its successor.
            var fd: Int32 = 3
            while fd < openMax {
                if fd != listeningSocket { close(fd) }
                fd += 1
            }
            _ = fcntl(listeningSocket, F_SETFD, 0)
            execve(executable, argv, envp)
            _ = failure.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            _exit(127)
        }
        return pid > 0 ? pid : nil
    }
}
