import CFutex
import Glibc
import Postgres
import Synchronization

/// The newest answer any worker of the pool had to "what are the catalog's versions now?", with
/// the moment it asked: shared memory, mapped by the master before the first fork.
///
/// Why it is safe to use another worker's answer: a page must never show data older than a write
/// committed before its request arrived. A query asked *after* the request arrived has a snapshot
/// that holds every such write, whichever connection asked it. Under load a request is taken by a
/// worker a millisecond or two after nginx read it, and meanwhile other workers keep asking; so the
/// request can take their answer instead of a round trip of its own. A request with no answer
/// asked late enough asks itself, as alone on the pool.
///
/// When the request arrived comes from nginx (`SHOP_REQUEST_TIME`, `$msec`: the wall clock nginx
/// read right after the poll that reported the request, in whole milliseconds, so the request's
/// bytes were there by then; not so with `timer_resolution`, which the shipped nginx.conf leaves
/// unset). Both sides read the same kernel's wall clock, which can be stepped
/// (NTP, an operator); each answer carries the wall clock's offset from the monotonic clock when it
/// was taken, and an answer is used only while that offset is still the same (±`tolerance`): a
/// step back in between, which could make an earlier question look later than the arrival, makes
/// the answer unusable instead.
///
/// An answer can also stand for the round trip a cached session needs (`sessionsHeardSince`, see
/// `SessionStore.takesSharedCheck`): the worker that asked passed on every session notification
/// its reply brought before publishing it.
///
/// A question still in flight can serve too. A worker about to ask announces when it asked
/// (`announce`); a request with no answer late enough, but a question in flight asked late
/// enough, sleeps until that answer is published (`awaitAnswer`, a futex on the board's line)
/// instead of asking again. Under load some 60% of the requests that asked for themselves had
/// such a question in flight, begun a median 0.2 ms before, when their own round trip took a
/// median 1 ms on two busy cores.
public final class VersionCheckBoard: @unchecked Sendable {
    /// The most the clocks' offset may have moved, in nanoseconds: NTP slews (at most 0.5 ms a
    /// second) move both clocks alike; only a step moves the offset.
    static let tolerance: Int64 = 50_000

    /// The longest a request sleeps for a question in flight before it asks for itself (its
    /// asker may have died, or its statement failed): about the p90 of a round trip under load.
    public static let longestWait: Int64 = 2_000_000

    private let base: UnsafeMutableRawPointer
    // sequence, askedAt, offset, version, listsVersion, sessionsHeardSince, askingSince, and the
    // line's last 8 bytes: `publications`, the futex word, in its first 4.
    private static let fields = 8

    /// One cache line; nil when the mapping fails (each worker then asks for itself).
    public init?() {
        guard let memory = mmap(nil, 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else { return nil }
        base = memory
        for index in 0..<Self.fields - 1 { field(index).initialize(to: Atomic(0)) }
        publicationCount.initialize(to: Atomic(0))
    }

    private func field(_ index: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        (base + index * 8).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    private var sequence: UnsafeMutablePointer<Atomic<Int64>> { field(0) }
    /// When the newest question announced was asked (wall clock nanoseconds, `Moment.wall`).
    private var askingSince: UnsafeMutablePointer<Atomic<Int64>> { field(6) }
    /// Counts publications; what sleepers wait on (`awaitAnswer`).
    private var publicationCount: UnsafeMutablePointer<Atomic<UInt32>> {
        (base + 7 * 8).assumingMemoryBound(to: Atomic<UInt32>.self)
    }
    /// The same 4 bytes as the plain word `futex(2)` takes.
    private var publications: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(publicationCount).assumingMemoryBound(to: UInt32.self)
    }

    /// A moment on the wall clock, and the wall clock's offset from the monotonic one then.
    public struct Moment: Equatable, Sendable {
        /// Nanoseconds since the epoch (CLOCK_REALTIME), what nginx's `$msec` reads.
        public let wall: Int64
        /// CLOCK_REALTIME − CLOCK_MONOTONIC: moves only when the wall clock is stepped.
        public let offset: Int64

        public init(wall: Int64, offset: Int64) {
            self.wall = wall
            self.offset = offset
        }

        /// The same moment on CLOCK_MONOTONIC, which every process of the machine shares.
        public var monotonic: Int64 { wall - offset }

        public static func now() -> Moment {
            let monotonicNanoseconds = monotonicNow()
            var wall = timespec()
            clock_gettime(CLOCK_REALTIME, &wall)
            let wallNanoseconds = Int64(wall.tv_sec) * 1_000_000_000 + Int64(wall.tv_nsec)
            return Moment(wall: wallNanoseconds, offset: wallNanoseconds - monotonicNanoseconds)
        }

        /// CLOCK_MONOTONIC now, in nanoseconds (what `monotonic` gives of a moment).
        public static func monotonicNow() -> Int64 {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        }
    }

    /// An answer: the catalog's `version` and `lists_version`, asked at `askedAt`.
    public struct Answer: Equatable, Sendable {
        public let askedAt: Moment
        public let version: Int64
        public let listsVersion: Int64
        /// CLOCK_MONOTONIC nanoseconds since when the asking worker has passed on every session
        /// notification its connection received, this reply's included; 0: it holds no such proof.
        public let sessionsHeardSince: Int64

        public init(askedAt: Moment, version: Int64, listsVersion: Int64, sessionsHeardSince: Int64 = 0) {
            self.askedAt = askedAt
            self.version = version
            self.listsVersion = listsVersion
            self.sessionsHeardSince = sessionsHeardSince
        }
    }

    /// Keeps `answer` if it was asked later than the one held. Call only with a reply whose
    /// snapshot was taken after `askedAt` (a statement of its own, outside a transaction). Gives
    /// up when another worker is writing at the same moment: an answer not shared costs only
    /// a round trip, never freshness.
    public func publish(_ answer: Answer) {
        guard let claimed = claim(askedAt: answer.askedAt.wall) else { return }
        field(1).pointee.store(answer.askedAt.wall, ordering: .relaxed)
        field(2).pointee.store(answer.askedAt.offset, ordering: .relaxed)
        field(3).pointee.store(answer.version, ordering: .relaxed)
        field(4).pointee.store(answer.listsVersion, ordering: .relaxed)
        field(5).pointee.store(answer.sessionsHeardSince, ordering: .relaxed)
        sequence.pointee.store(Self.released(claimed), ordering: .releasing)
        // After the answer: a sleeper that reads the new count also reads the answer. Woken
        // whether or not anyone sleeps: a count of sleepers would stay raised by a worker
        // killed in its sleep, and a wake with none costs one system call per check.
        publicationCount.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        _ = shop_futex_wake_all(publications)
    }

    /// A worker is about to ask, at `asked`, and will publish the answer: requests that arrived
    /// before may wait for it (`awaitAnswer`). A later announcement replaces this one; an answer
    /// never published (a failed statement) leaves its waiters to their time limit.
    public func announce(asking asked: Moment) {
        askingSince.pointee.store(asked.wall, ordering: .relaxed)
    }

    /// The newest answer that proves freshness for the request, waiting at most `limit`
    /// nanoseconds for it when a question that could prove it is in flight; nil at once when
    /// none is (the request then asks itself).
    public func awaitAnswer(forRequestReceivedAt receivedMilliseconds: Int64, limit: Int64 = longestWait) -> Answer? {
        if let answer = answer(forRequestReceivedAt: receivedMilliseconds) { return answer }
        let now = Moment.now()
        let inFlight = Answer(askedAt: Moment(wall: askingSince.pointee.load(ordering: .relaxed), offset: now.offset),
                              version: 0, listsVersion: 0)
        guard Self.proves(inFlight, forRequestReceivedAt: receivedMilliseconds, now: now) else { return nil }
        let deadline = now.monotonic + limit
        while true {
            let seen = publicationCount.pointee.load(ordering: .sequentiallyConsistent)
            if let answer = answer(forRequestReceivedAt: receivedMilliseconds) { return answer }
            let remaining = deadline - Moment.monotonicNow()
            guard remaining > 0 else { return nil }
            var timeout = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            // Returns at once if a publication came since `seen` was read: nothing is missed.
            _ = shop_futex_wait(publications, seen, &timeout)
        }
    }

    // The sequence: an even count while nobody writes; while a worker writes, the count plus one,
    // with the writer's pid above `countBits`, so the master can tell whose write a death left
    // unfinished (`workerExited(pid:)`). A pid fits in 22 bits (the kernel's PID_MAX_LIMIT).
    static let countBits: Int64 = 40
    static let countMask: Int64 = (1 << countBits) - 1

    /// The even sequence that ends the write `claimed` began.
    static func released(_ claimed: Int64) -> Int64 { ((claimed & countMask) + 1) & countMask }

    /// Starts a write of an answer asked at `wall` (the sequence made odd and this process's),
    /// unless another write is under way or the held answer was asked later.
    func claim(askedAt wall: Int64) -> Int64? {
        let current = sequence.pointee.load(ordering: .relaxed)
        let claimed = (current + 1) | (Int64(CurrentProcess.id) << Self.countBits)
        guard current & 1 == 0, field(1).pointee.load(ordering: .relaxed) < wall,
              sequence.pointee.compareExchange(expected: current, desired: claimed, ordering: .acquiring).exchanged
        else { return nil }
        // A reader that sees any field below also sees the odd sequence (a seqlock's writer).
        atomicMemoryFence(ordering: .releasing)
        guard field(1).pointee.load(ordering: .relaxed) < wall else {
            sequence.pointee.store(Self.released(claimed), ordering: .releasing)
            return nil
        }
        return claimed
    }

    /// The master, after reaping worker `pid`: a worker killed between the two stores of the
    /// sequence would leave it odd for good, and no worker could share a check again until the
    /// pool restarted. Its half-written answer is made one that proves nothing (asked at 0, before
    /// any request), and the next check replaces it. Only the master calls this, and only with a
    /// reaped pid, so no live writer's pid can match.
    public func workerExited(pid: Int32) {
        let current = sequence.pointee.load(ordering: .acquiring)
        guard current & 1 == 1, current >> Self.countBits == Int64(pid) else { return }
        field(1).pointee.store(0, ordering: .relaxed)
        sequence.pointee.store(Self.released(current), ordering: .releasing)
    }

    /// The newest answer (a consistent copy), or nil while a worker is writing it or before any.
    public func latest() -> Answer? {
        let before = sequence.pointee.load(ordering: .acquiring)
        guard before & 1 == 0, before != 0 else { return nil }
        let answer = Answer(
            askedAt: Moment(wall: field(1).pointee.load(ordering: .relaxed), offset: field(2).pointee.load(ordering: .relaxed)),
            version: field(3).pointee.load(ordering: .relaxed), listsVersion: field(4).pointee.load(ordering: .relaxed),
            sessionsHeardSince: field(5).pointee.load(ordering: .relaxed))
        atomicMemoryFence(ordering: .acquiring)
        return sequence.pointee.load(ordering: .relaxed) == before ? answer : nil
    }

    /// The newest answer if it proves freshness for a request nginx received at
    /// `receivedMilliseconds` (its `$msec`, truncated to the millisecond), judged `now`.
    public func answer(forRequestReceivedAt receivedMilliseconds: Int64, now: Moment = .now()) -> Answer? {
        guard let answer = latest() else { return nil }
        return Self.proves(answer, forRequestReceivedAt: receivedMilliseconds, now: now) ? answer : nil
    }

    /// The rule: asked after the request arrived, with the wall clock not stepped since.
    /// `$msec` is truncated, so the arrival may lie up to 1 ms after it; and a step back smaller
    /// than `tolerance` goes unseen, so the answer must be that much later still.
    static func proves(_ answer: Answer, forRequestReceivedAt receivedMilliseconds: Int64, now: Moment) -> Bool {
        let (latestArrival, overflow) = receivedMilliseconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow, receivedMilliseconds > 0 else { return false }
        let stepped = answer.askedAt.offset - now.offset
        return abs(stepped) <= tolerance && answer.askedAt.wall >= latestArrival + 1_000_000 + tolerance
    }
}
