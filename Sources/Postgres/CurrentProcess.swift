import Glibc

/// This process's id without a system call: glibc no longer caches getpid(), and the
/// connection asks on every statement whether it was opened before a fork. Refreshed in
/// the child of every fork (pthread_atfork), so a worker never sees its master's id.
public enum CurrentProcess {
    nonisolated(unsafe) private static var cached: pid_t = {
        pthread_atfork(nil, nil) { CurrentProcess.cached = getpid() }
        return getpid()
    }()

    public static var id: pid_t { cached }
}
