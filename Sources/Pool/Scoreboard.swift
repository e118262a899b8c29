import Glibc
import Synchronization

/// The pool's shared memory: one anonymous MAP_SHARED mapping created by the master before the
/// first fork, so every worker writes its own slot and anyone can read the whole table.
///
/// Layout, in 64-bit atomics (lock-free, hence safe across processes):
///   header (one 64-byte line): restarts, served by exited workers, pool start (monotonic ns)
///   slots (one 64-byte line each, so busy workers do not share cache lines): pid,
///     request start (monotonic ns, 0 = idle), requests served by this worker, database state
///     (0 not known yet, 1 connected, 2 cannot connect)
/// A slot has one writer at a time: the worker while it lives, the master after reaping it.
/// The mapping lives as long as the processes do; it is never unmapped.
struct Scoreboard {
    let capacity: Int
    private let header: UnsafeMutablePointer<Atomic<Int64>>
    private let slots: UnsafeMutablePointer<Atomic<Int64>>

    private static let fieldsPerLine = 8
    private enum Header: Int { case restarts = 0, retiredServed, startTime }
    private enum Field: Int { case pid = 0, requestStart, served, database }

    init?(capacity: Int) {
        let lines = capacity + 1
        let bytes = lines * Self.fieldsPerLine * MemoryLayout<Int64>.stride
        guard let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else { return nil }
        let fields = memory.bindMemory(to: Atomic<Int64>.self, capacity: lines * Self.fieldsPerLine)
        for index in 0..<(lines * Self.fieldsPerLine) {
            (fields + index).initialize(to: Atomic(0))
        }
        self.capacity = capacity
        header = fields
        slots = fields + Self.fieldsPerLine
    }

    // MARK: Pool-wide counters (written by the master only)

    func markStarted(at time: Int64) { header[Header.startTime.rawValue].store(time, ordering: .relaxed) }

    func countRestart() { header[Header.restarts.rawValue].wrappingAdd(1, ordering: .relaxed) }

    // MARK: Slots

    private func field(_ slot: Int, _ field: Field) -> UnsafeMutablePointer<Atomic<Int64>> {
        slots + slot * Self.fieldsPerLine + field.rawValue
    }

    func assign(slot: Int, pid: Int32) { field(slot, .pid).pointee.store(Int64(pid), ordering: .releasing) }

    func pid(slot: Int) -> Int32 { Int32(truncatingIfNeeded: field(slot, .pid).pointee.load(ordering: .acquiring)) }

    func markBusy(slot: Int, at time: Int64) { field(slot, .requestStart).pointee.store(time, ordering: .releasing) }

    /// Clears the busy mark and counts the request; returns this worker's total.
    @discardableResult
    func markIdle(slot: Int) -> Int64 {
        field(slot, .requestStart).pointee.store(0, ordering: .releasing)
        return field(slot, .served).pointee.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// What the worker last found of its database connection.
    func setDatabase(slot: Int, _ state: DatabaseState) {
        field(slot, .database).pointee.store(state.rawValue, ordering: .releasing)
    }

    func database(slot: Int) -> DatabaseState {
        DatabaseState(rawValue: field(slot, .database).pointee.load(ordering: .acquiring)) ?? .unknown
    }

    /// The worker has started serving (it has reported on its database connection).
    func hasStarted(slot: Int) -> Bool { database(slot: slot) != .unknown }

    /// Live workers other than `slot`'s that have a database connection.
    func connectedWorkers(besides slot: Int) -> Int {
        var count = 0
        for other in 0..<capacity where other != slot && pid(slot: other) != 0 && database(slot: other) == .connected {
            count += 1
        }
        return count
    }

    /// When the slot's current request started (monotonic ns), or 0 when idle.
    func requestStart(slot: Int) -> Int64 { field(slot, .requestStart).pointee.load(ordering: .acquiring) }

    /// Frees a reaped worker's slot for reuse, moving its count into the pool total.
    /// Returns how many requests that worker served.
    @discardableResult
    func release(slot: Int) -> Int64 {
        let served = field(slot, .served).pointee.load(ordering: .relaxed)
        header[Header.retiredServed.rawValue].wrappingAdd(served, ordering: .relaxed)
        field(slot, .served).pointee.store(0, ordering: .relaxed)
        field(slot, .requestStart).pointee.store(0, ordering: .relaxed)
        field(slot, .database).pointee.store(0, ordering: .relaxed)
        field(slot, .pid).pointee.store(0, ordering: .releasing)
        return served
    }

    func snapshot(now: Int64) -> PoolStatus {
        var pids: [Int32] = []
        var unhealthy: [Int32] = []
        var busy = 0
        var served = header[Header.retiredServed.rawValue].load(ordering: .relaxed)
        for slot in 0..<capacity {
            let pid = self.pid(slot: slot)
            guard pid != 0 else { continue }
            pids.append(pid)
            if requestStart(slot: slot) != 0 { busy += 1 }
            if database(slot: slot) == .unreachable { unhealthy.append(pid) }
            served += field(slot, .served).pointee.load(ordering: .relaxed)
        }
        let started = header[Header.startTime.rawValue].load(ordering: .relaxed)
        return PoolStatus(
            workers: pids.count,
            busy: busy,
            idle: pids.count - busy,
            requestsServed: Int(served),
            restarts: Int(header[Header.restarts.rawValue].load(ordering: .relaxed)),
            uptimeSeconds: started == 0 ? 0 : Int((now - started) / Clock.nanosecondsPerSecond),
            pids: pids.sorted(),
            unhealthyPids: unhealthy.sorted()
        )
    }
}

/// A worker's database connection as the scoreboard shows it.
enum DatabaseState: Int64 {
    case unknown = 0, connected, unreachable
}
