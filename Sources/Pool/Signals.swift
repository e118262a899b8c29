import Glibc
import Synchronization

// State the signal handlers touch. Lock-free atomics are async-signal-safe; they are global `let`s
// (lazily initialised by Swift), so `Signals.prepare()` touches them before any handler is installed.
private let wakeFD = Atomic<Int32>(-1)           // master: write end of the self-pipe
private let stopRequested = Atomic<Bool>(false)  // worker: SIGTERM/SIGINT/SIGQUIT seen
private let listenFD = Atomic<Int32>(-1)         // worker: the shared listening socket
private let placeholderFD = Atomic<Int32>(-1)    // worker: /dev/null, dup2'd over listenFD on stop

/// Master: turn the signal into a byte on the self-pipe; the arbiter loop does the work.
private let masterHandler: @convention(c) (Int32) -> Void = { signal in
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(wakeFD.load(ordering: .relaxed), &byte, 1)
    errno = savedErrno
}

/// Worker: stop after the current request, and make the next accept fail at once.
///
/// Why not just rely on EINTR: libfcgi's OS_Accept retries accept() on EINTR (unless
/// FCGI_FAIL_ACCEPT_ON_INTR), and its own shutdownPending flag is checked just *before* accept(),
/// leaving a window where a signal is lost and the worker blocks forever. Why not _exit(0) when
/// idle: a connection accepted but not yet marked busy (params still being read) would be dropped.
/// Instead the handler dup2()s /dev/null over this process's copy of the listening fd (dup2 is
/// async-signal-safe, and other processes' copies are untouched). Whatever the worker is doing:
///   - blocked in accept(): SA_RESTART re-issues accept() on the new file -> ENOTSOCK, which
///     libfcgi treats as fatal -> FCGX_Accept_r < 0 -> accept() returns false -> the worker exits;
///   - about to call accept(): same, immediately;
///   - inside a request: reads/writes restart (SA_RESTART), the response goes out, and the loop
///     sees shouldStop (or the next accept fails).
private let workerStopHandler: @convention(c) (Int32) -> Void = { _ in
    let savedErrno = errno
    stopRequested.store(true, ordering: .relaxed)
    let listening = listenFD.load(ordering: .relaxed)
    let placeholder = placeholderFD.load(ordering: .relaxed)
    if listening >= 0 && placeholder >= 0 {
        _ = dup2(placeholder, listening)
    }
    errno = savedErrno
}

enum Signals {
    /// The signals the master handles; blocked around fork() so a child never runs the master's
    /// handler (which would write into the master's self-pipe) before installing its own.
    static let managed: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR2, SIGCHLD]

    static var workerStopRequested: Bool { stopRequested.load(ordering: .relaxed) }

    static func prepare() {
        _ = wakeFD.load(ordering: .relaxed)
        _ = stopRequested.load(ordering: .relaxed)
        _ = listenFD.load(ordering: .relaxed)
        _ = placeholderFD.load(ordering: .relaxed)
        _ = masterHandler
        _ = workerStopHandler
    }

    static func installMasterHandlers(wakeDescriptor: Int32) {
        prepare()
        wakeFD.store(wakeDescriptor, ordering: .relaxed)
        _ = signal(SIGPIPE, SIG_IGN)  // a write to a gone peer must never kill the master
        for signo in managed {
            install(masterHandler, for: signo, flags: signo == SIGCHLD ? SA_RESTART | SA_NOCLDSTOP : SA_RESTART)
        }
    }

    /// In the child right after fork(), while the managed signals are still blocked.
    static func installWorkerHandlers(listeningSocket: Int32) {
        prepare()
        wakeFD.store(-1, ordering: .relaxed)
        stopRequested.store(false, ordering: .relaxed)
        listenFD.store(listeningSocket, ordering: .relaxed)
        placeholderFD.store(open("/dev/null", O_RDONLY | O_CLOEXEC), ordering: .relaxed)
        _ = signal(SIGPIPE, SIG_IGN)  // nginx hanging up mid-response is an EPIPE, not a death
        _ = signal(SIGHUP, SIG_IGN)   // reload is the master's business; it SIGTERMs old workers
        _ = signal(SIGUSR2, SIG_IGN)  // so is an upgrade
        _ = signal(SIGCHLD, SIG_DFL)
        for signo in [SIGTERM, SIGINT, SIGQUIT] {
            install(workerStopHandler, for: signo, flags: SA_RESTART)
        }
    }

    /// Back to the defaults once the master loop is over.
    static func restoreDefaults() {
        for signo in managed { _ = signal(signo, SIG_DFL) }
        wakeFD.store(-1, ordering: .relaxed)
    }

    static func blockManaged() -> sigset_t {
        var set = managedSet()
        var old = sigset_t()
        sigprocmask(SIG_BLOCK, &set, &old)
        return old
    }

    static func setMask(_ mask: sigset_t) {
        var mask = mask
        sigprocmask(SIG_SETMASK, &mask, nil)
    }

    static func unblockManaged() {
        var set = managedSet()
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    private static func managedSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signo in managed { sigaddset(&set, signo) }
        return set
    }

    private static func install(_ handler: @convention(c) (Int32) -> Void, for signo: Int32, flags: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = flags
        sigemptyset(&action.sa_mask)
        sigaction(signo, &action, nil)
    }
}
