import Glibc

/// The pool's master, modelled on gunicorn's arbiter: it forks the workers, then loops on a
/// signal self-pipe (poll with a short timeout), reaping, replacing, timing out and recycling.
///
/// Signals: SIGTERM/SIGINT/SIGQUIT stop gracefully (a second one kills the workers at once);
/// SIGHUP replaces every worker gracefully; SIGUSR2 re-executes the program on disk (a new build)
/// as a new master on the same socket, which then stops this one (see Reexec); SIGCHLD wakes
/// the loop to reap.
public final class Arbiter {
    private let configuration: PoolConfiguration
    private let listeningSocket: Int32
    private let workerMain: (WorkerContext) -> Void
    /// Called in the master with the slot and pid of every worker it reaps, before the slot is
    /// reused and before any new worker can be given that pid.
    public var workerExited: ((_ slot: Int, _ pid: Int32) -> Void)?
    private let workerCount: Int
    private var scoreboard: Scoreboard!
    private var workers: [Int32: WorkerRecord] = [:]
    private var pipeRead: Int32 = -1
    private var pipeWrite: Int32 = -1
    private var stopping = false
    private var stopStartedAt: Int64 = 0
    private var startupDone = false
    private var quickDeaths = 0
    private var spawnNotBefore: Int64 = 0
    private var warnedNoSlot = false
    private var socketIdentity: (device: UInt, inode: UInt)?
    private var masterPID: Int32 = 0
    private var bootFailures = 0
    private var exitStatus: Int32 = 0

    /// A worker that cannot start (its app fails to load) exits with this, gunicorn's
    /// WORKER_BOOT_ERROR; that many in a row stop the pool with it instead of respawning forever.
    public static let bootFailureStatus: Int32 = 3
    private static let bootFailureLimit = 3
    private var reexec: Reexec?
    /// The new master forked by SIGUSR2, while it runs (0: none).
    private var reexecPID: Int32 = 0
    /// Set while this master still has to stop the one it replaces (a SIGUSR2 upgrade).
    private var replacing: Int32?
    private var replacingSince: Int64 = 0

    private static let second = Clock.nanosecondsPerSecond
    /// A worker that dies within this long of its fork counts as a quick death.
    private static let quickDeathWindow = second
    private static let quickDeathLimit = 5
    private static let loopInterval: Int32 = 500  // ms; timeouts are checked at least this often

    /// How many worker slots a pool of `workers` has: room for a SIGHUP generation overlapping
    /// the old one, twice over.
    public static func slotCapacity(workers: Int) -> Int {
        let count = max(1, workers)
        return max(4 * count, count + 8)
    }

    /// `workerMain` runs in each forked child (open database connections there, not before).
    /// When it returns, the child exits 0.
    public init(configuration: PoolConfiguration, listeningSocket: Int32, workerMain: @escaping (WorkerContext) -> Void) {
        self.configuration = configuration
        self.listeningSocket = listeningSocket
        self.workerMain = workerMain
        self.workerCount = max(1, configuration.workers)
    }

    /// Runs the master loop until SIGTERM/SIGINT/SIGQUIT; returns the exit status (0 = clean stop).
    public func run() -> Int32 {
        guard let board = Scoreboard(capacity: Self.slotCapacity(workers: workerCount)) else {
            poolLog("cannot map the scoreboard: \(errnoText())")
            return 1
        }
        scoreboard = board
        guard openSelfPipe() else {
            poolLog("cannot create the signal pipe: \(errnoText())")
            return 1
        }
        rememberSocketIdentity()
        masterPID = getpid()
        reexec = Reexec.current()
        replacing = configuration.replacing
        replacingSince = Clock.now()
        if replacing == nil { configuration.pidFile.map { PidFile(path: $0).write(masterPID) } }
        Signals.installMasterHandlers(wakeDescriptor: pipeWrite)
        board.markStarted(at: Clock.now())
        poolLog("master \(getpid()) starting \(workersText(workerCount))")
        spawnMissing(now: Clock.now())
        startupDone = true

        while true {
            waitForSignals()
            reap()
            let now = Clock.now()
            enforceRequestTimeout(now: now)
            enforceGracefulTimeout(now: now)
            if stopping {
                if workers.isEmpty { break }
                // SIGKILL went out at the graceful timeout; give up on stragglers 5 s later.
                if now - stopStartedAt > Int64(configuration.gracefulTimeout + 5) * Self.second {
                    poolLog("workers \(workers.keys.sorted()) did not die; leaving them")
                    break
                }
            } else {
                spawnMissing(now: now)
                takeOverWhenReady(now: now)
            }
        }
        finishStop()
        return exitStatus
    }

    // MARK: - The loop's steps

    private func waitForSignals() {
        var descriptor = pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0)
        var timeout = Self.loopInterval
        let untilSpawn = (spawnNotBefore - Clock.now()) / 1_000_000
        if !stopping && untilSpawn > 0 {
            timeout = Int32(min(Int64(timeout), untilSpawn + 1))
        }
        _ = poll(&descriptor, 1, timeout)  // EINTR just means a signal: drain below
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(pipeRead, &buffer, buffer.count)
            if count <= 0 { break }
            for index in 0..<count { handle(signal: Int32(buffer[index])) }
        }
    }

    private func handle(signal signo: Int32) {
        switch signo {
        case SIGCHLD:
            break  // reaped right after
        case SIGHUP:
            if !stopping { reload() }
        case SIGUSR2:
            if !stopping { upgrade() }
        case SIGTERM, SIGINT, SIGQUIT:
            stopping ? killAllNow() : beginStop(signal: signo)
        default:
            break
        }
    }

    /// Reaps every exited child; the next spawnMissing() replaces those that were not retiring.
    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0 && errno == EINTR { continue }
            if pid <= 0 { break }
            if pid == reexecPID {
                poolLog("new master \(pid) exited (\(describeExit(status))) before taking over; this master keeps serving")
                reexecPID = 0
                continue
            }
            guard let record = workers.removeValue(forKey: pid) else { continue }
            let served = scoreboard.release(slot: record.slot)
            workerExited?(record.slot, pid)
            let how = describeExit(status)
            if stopping || record.retiring {
                if !exitedCleanly(status) { poolLog("worker \(pid) exited (\(how))") }
                continue
            }
            let recycled = configuration.maxRequests > 0 && exitedCleanly(status) && served >= configuration.maxRequests
            if recycled {
                poolLog("worker \(pid) recycled after \(served) requests (MAX_REQUESTS); spawning replacement")
                continue
            }
            if noteBootFailure(status) { continue }
            poolLog("worker \(pid) exited (\(how)); spawning replacement")
            noteDeath(of: record)
        }
    }

    /// Counts workers that failed to boot in a row; at the limit the pool stops (true), as
    /// gunicorn halts on "Worker failed to boot", since a replacement would fail the same way.
    private func noteBootFailure(_ status: Int32) -> Bool {
        guard status & 0x7F == 0, (status >> 8) & 0xFF == Self.bootFailureStatus else {
            bootFailures = 0
            return false
        }
        bootFailures += 1
        guard bootFailures >= Self.bootFailureLimit else { return false }
        poolLog("\(bootFailures) workers in a row failed to boot (see above); stopping the pool")
        exitStatus = Self.bootFailureStatus
        beginStop(signal: nil)
        return true
    }

    /// Backs off when workers die right after starting (a broken deploy, a database that is down),
    /// so the master does not fork in a tight loop.
    private func noteDeath(of record: WorkerRecord) {
        let now = Clock.now()
        guard !record.timedOut, now - record.spawnedAt < Self.quickDeathWindow else {
            quickDeaths = 0
            return
        }
        quickDeaths += 1
        if quickDeaths >= Self.quickDeathLimit {
            quickDeaths = 0
            spawnNotBefore = now + Self.second
            poolLog("\(Self.quickDeathLimit) workers died within 1 s of starting; waiting 1 s before spawning again")
        }
    }

    /// REQUEST_TIMEOUT: a request running too long gets its worker SIGKILLed (it is replaced once reaped).
    private func enforceRequestTimeout(now: Int64) {
        guard configuration.requestTimeout > 0 else { return }
        let limit = Int64(configuration.requestTimeout) * Self.second
        for (pid, record) in workers where !record.killed {
            let started = scoreboard.requestStart(slot: record.slot)
            guard started != 0, now - started > limit else { continue }
            let seconds = Double((now - started) / 1_000_000) / 1000
            poolLog("worker \(pid) request running \(seconds) s, past REQUEST_TIMEOUT=\(configuration.requestTimeout); killing it")
            kill(pid, SIGKILL)
            workers[pid]?.killed = true
            workers[pid]?.timedOut = true
        }
    }

    /// Workers told to stop (SIGTERM) get gracefulTimeout seconds, then SIGKILL.
    private func enforceGracefulTimeout(now: Int64) {
        let limit = Int64(configuration.gracefulTimeout) * Self.second
        for (pid, record) in workers where !record.killed {
            guard let terminatedAt = record.terminatedAt, now - terminatedAt >= limit else { continue }
            poolLog("worker \(pid) still running \(configuration.gracefulTimeout) s after SIGTERM; killing it")
            kill(pid, SIGKILL)
            workers[pid]?.killed = true
        }
    }

    /// Forks workers until `workerCount` non-retiring ones run. Every fork after the initial ones
    /// is counted in `restarts`, whatever the cause (crash, timeout, MAX_REQUESTS recycling,
    /// SIGHUP), since each is a worker replaced by a fresh process.
    private func spawnMissing(now: Int64) {
        guard !stopping, now >= spawnNotBefore else { return }
        spawnNotBefore = 0
        var active = workers.values.reduce(0) { $0 + ($1.retiring ? 0 : 1) }
        while active < workerCount {
            guard let slot = freeSlot() else {
                if !warnedNoSlot { poolLog("scoreboard full; waiting for old workers to exit") }
                warnedNoSlot = true
                return
            }
            warnedNoSlot = false
            guard spawn(slot: slot) else {
                spawnNotBefore = Clock.now() + Self.second
                return
            }
            active += 1
        }
    }

    private func freeSlot() -> Int? {
        var used = [Bool](repeating: false, count: scoreboard.capacity)
        for record in workers.values { used[record.slot] = true }
        return used.firstIndex(of: false)
    }

    private func spawn(slot: Int) -> Bool {
        fflush(nil)  // or the child would flush a copy of the master's buffered output again
        let savedMask = Signals.blockManaged()
        let pid = fork()
        if pid == 0 { runWorker(slot: slot) }
        Signals.setMask(savedMask)
        guard pid > 0 else {
            poolLog("fork failed: \(errnoText()); retrying in 1 s")
            return false
        }
        scoreboard.assign(slot: slot, pid: pid)
        workers[pid] = WorkerRecord(slot: slot, spawnedAt: Clock.now())
        if startupDone { scoreboard.countRestart() }
        return true
    }

    /// The child's side of fork(): own signal handling, then the app's worker body.
    private func runWorker(slot: Int) -> Never {
        Signals.installWorkerHandlers(listeningSocket: listeningSocket)
        close(pipeRead)
        close(pipeWrite)
        ParentWatch.stopWhenMasterDies(masterPID: masterPID)
        Signals.unblockManaged()
        scoreboard.assign(slot: slot, pid: getpid())
        let context = WorkerContext(scoreboard: scoreboard, slot: slot, maxRequests: configuration.maxRequests)
        workerMain(context)
        exit(0)
    }

    // MARK: - Reload and stop

    /// SIGHUP, like gunicorn's reload: start a new generation, then SIGTERM the old one, whose busy
    /// workers finish their request first. The new workers are forks of this master, so the
    /// program itself is not re-read; whatever workerMain loads after fork is.
    private func reload() {
        let old = Array(workers.keys)
        poolLog("SIGHUP: replacing \(workersText(old.count))")
        for pid in old { workers[pid]?.retiring = true }
        spawnMissing(now: Clock.now())
        let now = Clock.now()
        for pid in old {
            kill(pid, SIGTERM)
            workers[pid]?.terminatedAt = now
        }
    }

    private func beginStop(signal signo: Int32?) {
        stopping = true
        stopStartedAt = Clock.now()
        poolLog("\(signo.map(signalName) ?? "halt"): stopping \(workersText(workers.count)) (graceful timeout \(configuration.gracefulTimeout) s)")
        for pid in workers.keys {
            kill(pid, SIGTERM)
            workers[pid]?.retiring = true
            workers[pid]?.terminatedAt = stopStartedAt
        }
    }

    private func killAllNow() {
        poolLog("second stop signal: killing \(workersText(workers.count)) now")
        for (pid, record) in workers where !record.killed {
            kill(pid, SIGKILL)
            workers[pid]?.killed = true
        }
    }

    private func finishStop() {
        // During an upgrade the socket file is the serving master's: the old one's until the
        // new one takes over, then the new one's.
        if reexecPID == 0, replacing == nil, let path = configuration.socketPath, ownsSocketFile(at: path) {
            unlink(path)
        }
        configuration.pidFile.map { PidFile(path: $0).remove(ifItNames: masterPID) }
        close(listeningSocket)
        Signals.restoreDefaults()
        close(pipeRead)
        close(pipeWrite)
        poolLog("master \(getpid()) stopped")
    }

    // MARK: - Upgrade (SIGUSR2)

    /// Starts the program now on disk as a new master on this socket; this one serves on until
    /// the new one, its workers running, sends SIGTERM.
    private func upgrade() {
        guard reexecPID == 0, replacing == nil else {
            poolLog("SIGUSR2: an upgrade is already under way; ignored")
            return
        }
        guard let reexec else {
            poolLog("SIGUSR2: cannot tell which program file to run (/proc/self/exe); ignored")
            return
        }
        let savedMask = Signals.blockManaged()
        let pid = reexec.spawn(listeningSocket: listeningSocket, masterPID: masterPID, restoreMask: savedMask)
        Signals.setMask(savedMask)
        guard let pid else {
            poolLog("SIGUSR2: fork failed: \(errnoText())")
            return
        }
        reexecPID = pid
        poolLog("SIGUSR2: started new master \(pid) from \(reexec.executable); serving until it takes over")
    }

    /// The new master of an upgrade: once every worker has started (it reports on its database
    /// connection), or at least one after 10 s, tell the old master to stop gracefully and take
    /// its pid file. A build whose workers never start leaves the old master serving.
    private func takeOverWhenReady(now: Int64) {
        guard let old = replacing else { return }
        let started = workers.values.filter { scoreboard.hasStarted(slot: $0.slot) }.count
        guard started >= workerCount || (started > 0 && now - replacingSince > 10 * Self.second) else { return }
        replacing = nil
        configuration.pidFile.map { PidFile(path: $0).write(masterPID) }
        if old > 0 && getppid() == old {
            poolLog("\(workersText(started)) running; stopping the old master \(old) (SIGTERM)")
            kill(old, SIGTERM)
        }
    }

    // MARK: - Helpers

    private func openSelfPipe() -> Bool {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return false }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)  // a full pipe must not block the handler
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        pipeRead = fds[0]
        pipeWrite = fds[1]
        return true
    }

    /// Remembers which socket file is ours, so stopping never unlinks one a newer pool created.
    private func rememberSocketIdentity() {
        guard let path = configuration.socketPath else { return }
        var info = stat()
        if stat(path, &info) == 0 {
            socketIdentity = (UInt(info.st_dev), UInt(info.st_ino))
        }
    }

    private func ownsSocketFile(at path: String) -> Bool {
        guard let identity = socketIdentity else { return false }
        var info = stat()
        return stat(path, &info) == 0 && UInt(info.st_dev) == identity.device && UInt(info.st_ino) == identity.inode
    }

    private func workersText(_ count: Int) -> String {
        count == 1 ? "1 worker" : "\(count) workers"
    }

    private func signalName(_ signo: Int32) -> String {
        switch signo {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGQUIT: return "SIGQUIT"
        case SIGUSR2: return "SIGUSR2"
        default: return "signal \(signo)"
        }
    }
}
