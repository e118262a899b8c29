import Foundation
import Glibc
import Synchronization

/// How the workers of one pool tell each other of their session saves without the database:
/// shared memory, mapped by the master before the first fork. `NOTIFY` in a save's commit
/// serializes PostgreSQL's commits (one database-wide lock held through the WAL flush) and wakes
/// every listening backend; a pool alone on its database needs neither (see `SessionCachePools`).
///
/// One ring per worker slot, each written by one process at a time (the worker while it lives,
/// the master after reaping it), read by every other worker:
///   - `writing`: a hash of the key the slot's worker is saving, set before its statement is
///     sent and cleared after its change is published, so between its commit and its
///     announcement no other worker serves the copy it outdates;
///   - `head`: how many changes the slot has published; each change (key, version, expiry,
///     signed data, or only "drop" when it does not fit) sits at `head % entriesPerRing`.
///     Besides its own saves, a worker passes on there the changes it heard of by `NOTIFY`
///     (`forward`), so that its shared catalog checks can stand for the others' catch-up.
/// A header holds `epoch`, moved when a worker died in the middle of a save: every worker then
/// drops every cached session, since the dead one may have committed without announcing.
public final class SessionChangeBoard: @unchecked Sendable {
    /// The pool these workers form (`SessionCachePools`): one id per master, so an upgraded
    /// master overlapping the old one is another pool, told of changes by `NOTIFY`.
    public let pool: String
    let rings: Int
    private let base: UnsafeMutableRawPointer

    static let entriesPerRing = 128
    static let entrySize = 1024
    /// Bytes of an entry before its signed data: version, expiry, data length, key length, key.
    private static let entryHeader = 64
    static let maxKeyLength = entryHeader - 21
    static let maxDataLength = entrySize - entryHeader
    private static let line = 64
    private static var ringBytes: Int { line + entriesPerRing * entrySize }

    /// One ring for each of the pool's `rings` worker slots; nil when the mapping fails.
    public init?(rings: Int) {
        let bytes = Self.line + rings * Self.ringBytes
        guard rings > 0, let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else { return nil }
        base = memory
        self.rings = rings
        pool = SessionKey.generate()
        epoch.initialize(to: Atomic(0))
        for ring in 0..<rings {
            head(ring).initialize(to: Atomic(0))
            writing(ring).initialize(to: Atomic(0))
        }
    }

    /// The view of one worker, the one in `slot`.
    public func seat(_ slot: Int) -> Seat? {
        slot >= 0 && slot < rings ? Seat(board: self, slot: slot) : nil
    }

    /// The master, after reaping the worker of `slot`: if it died saving, its change may have
    /// committed unannounced, so every cached session is dropped everywhere.
    public func workerExited(slot: Int) {
        guard slot >= 0 && slot < rings else { return }
        if writing(slot).pointee.load(ordering: .acquiring) != 0 {
            epoch.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
            writing(slot).pointee.store(0, ordering: .sequentiallyConsistent)
        }
    }

    // MARK: Layout

    fileprivate var epoch: UnsafeMutablePointer<Atomic<Int64>> { base.assumingMemoryBound(to: Atomic<Int64>.self) }

    private func ring(_ index: Int) -> UnsafeMutableRawPointer { base + Self.line + index * Self.ringBytes }

    fileprivate func head(_ index: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        ring(index).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    fileprivate func writing(_ index: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        (ring(index) + 8).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    fileprivate func entry(_ index: Int, _ position: Int64) -> UnsafeMutableRawPointer {
        ring(index) + Self.line + Int(position % Int64(Self.entriesPerRing)) * Self.entrySize
    }

    /// FNV-1a of the key, never 0 (0 is "not saving").
    static func hash(_ key: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int64(bitPattern: hash | 1)
    }

    /// A change another worker published.
    public struct Change: Equatable {
        public let key: String
        /// 0: the session was deleted, or its data did not fit: drop the copy.
        public let version: Int64
        public let expireDate: Date
        public let data: String?
    }

    /// One worker's end of the board: it publishes its own changes and collects the others'.
    public final class Seat: @unchecked Sendable {
        let board: SessionChangeBoard
        let slot: Int
        public var pool: String { board.pool }
        /// Per ring, the changes already collected; and the epoch last seen.
        private var seen: [Int64]
        private var seenEpoch: Int64
        /// Keys other workers were saving at the last `collect` (their hashes).
        private var busy: [Int64] = []

        fileprivate init(board: SessionChangeBoard, slot: Int) {
            self.board = board
            self.slot = slot
            seen = (0..<board.rings).map { board.head($0).pointee.load(ordering: .acquiring) }
            seenEpoch = board.epoch.pointee.load(ordering: .acquiring)
        }

        /// Before the statement that saves or deletes `key` is sent.
        public func beginWrite(_ key: String) {
            board.writing(slot).pointee.store(SessionChangeBoard.hash(key), ordering: .sequentiallyConsistent)
        }

        /// After it: publishes the change (nil data drops the others' copies), then ends the write.
        public func publish(key: String, version: Int64, expireDate: Date, data: String?) {
            append(key: key, version: version, expireDate: expireDate, data: data)
            endWrite()
        }

        /// Passes on a change this worker learnt of by `NOTIFY` (another pool's save, Django's,
        /// SQL's), so the others need not wait for their own copy of the notification
        /// (`SessionStore.shareNotifications`). Not a write of this worker's: `writing` is untouched.
        public func forward(key: String, version: Int64, expireDate: Date, data: String?) {
            append(key: key, version: version, expireDate: expireDate, data: data)
        }

        /// Adds a change to this slot's ring; one whose key does not fit drops everything everywhere.
        private func append(key: String, version: Int64, expireDate: Date, data: String?) {
            let position = board.head(slot).pointee.load(ordering: .relaxed)
            let entry = board.entry(slot, position)
            guard key.utf8.count <= SessionChangeBoard.maxKeyLength else {
                board.epoch.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
                return
            }
            let keyBytes = Array(key.utf8)
            // Data that does not fit is announced as "drop" (version 0), without being copied.
            let fits = data.map { $0.utf8.count <= SessionChangeBoard.maxDataLength } ?? false
            let dataBytes = fits ? Array(data!.utf8) : []
            let version = fits ? version : 0
            entry.storeBytes(of: version, as: Int64.self)
            entry.storeBytes(of: expireDate.timeIntervalSince1970, toByteOffset: 8, as: Double.self)
            entry.storeBytes(of: UInt32(dataBytes.count), toByteOffset: 16, as: UInt32.self)
            entry.storeBytes(of: UInt8(keyBytes.count), toByteOffset: 20, as: UInt8.self)
            keyBytes.withUnsafeBytes { (entry + 21).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            dataBytes.withUnsafeBytes {
                if $0.count > 0 { (entry + SessionChangeBoard.entryHeader).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            board.head(slot).pointee.store(position + 1, ordering: .releasing)
        }

        /// Ends a write that changed nothing (a refused save). `dropEverything` when the change
        /// cannot be described (it does not happen with the shop's keys).
        public func endWrite(dropEverything: Bool = false) {
            if dropEverything { board.epoch.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent) }
            board.writing(slot).pointee.store(0, ordering: .sequentiallyConsistent)
        }

        /// What the other workers published since the last call, oldest first, of the keys this
        /// worker `holds` (the others are not read past their key); `dropAll` when this worker
        /// fell too far behind to have seen every change, or one died saving (dropping every
        /// copy is safe whenever it comes).
        /// Also notes which keys the others are saving right now (`isBeingWritten`): read before
        /// the rings, so a save that committed before this call is either in a ring or still
        /// marked as in progress.
        public func collect(dropAll: () -> Void, holds: (String) -> Bool = { _ in true }, apply: (Change) -> Void) {
            busy.removeAll(keepingCapacity: true)
            for ring in 0..<board.rings where ring != slot {
                let hash = board.writing(ring).pointee.load(ordering: .sequentiallyConsistent)
                if hash != 0 { busy.append(hash) }
            }
            let epoch = board.epoch.pointee.load(ordering: .sequentiallyConsistent)
            if epoch != seenEpoch {
                seenEpoch = epoch
                dropAll()
            }
            let capacity = Int64(SessionChangeBoard.entriesPerRing)
            for ring in 0..<board.rings where ring != slot {
                var head = board.head(ring).pointee.load(ordering: .acquiring)
                while seen[ring] < head {
                    let position = seen[ring]
                    let change = head - position > capacity ? nil : read(ring, position, holds)
                    // The writer lapped this entry before or while it was copied: this worker
                    // is too far behind to trust anything it holds.
                    atomicMemoryFence(ordering: .acquiring)
                    head = board.head(ring).pointee.load(ordering: .acquiring)
                    if head - position > capacity {
                        dropAll()
                        seen[ring] = head
                        break
                    }
                    if let change { apply(change) }
                    seen[ring] = position + 1
                }
            }
        }

        /// True when another worker was saving `key` at the last `collect`: its copy here may
        /// be outdated by a commit not yet announced.
        public func isBeingWritten(_ key: String) -> Bool {
            !busy.isEmpty && busy.contains(SessionChangeBoard.hash(key))
        }

        /// The change at `position`, nil when it concerns a key this worker does not hold.
        private func read(_ ring: Int, _ position: Int64, _ holds: (String) -> Bool) -> Change? {
            let entry = board.entry(ring, position)
            let version = entry.loadUnaligned(as: Int64.self)
            let seconds = entry.loadUnaligned(fromByteOffset: 8, as: Double.self)
            let dataLength = Int(entry.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            let keyLength = Int(entry.loadUnaligned(fromByteOffset: 20, as: UInt8.self))
            guard keyLength <= SessionChangeBoard.maxKeyLength, dataLength <= SessionChangeBoard.maxDataLength else { return nil }
            let key = String(decoding: UnsafeRawBufferPointer(start: entry + 21, count: keyLength), as: UTF8.self)
            guard holds(key) else { return nil }
            let data = version == 0 ? nil : String(
                decoding: UnsafeRawBufferPointer(start: entry + SessionChangeBoard.entryHeader, count: dataLength), as: UTF8.self)
            return Change(key: key, version: version, expireDate: Date(timeIntervalSince1970: seconds), data: data)
        }
    }
}
