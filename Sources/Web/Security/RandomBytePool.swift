import COpenSSL
import Glibc

/// OpenSSL's CSPRNG drawn 4 KiB at a time, then handed out in small pieces. A `RAND_bytes`
/// call has a fixed cost whatever its size (the DRBG's fork check, a `getpid` system call;
/// its provider dispatch; the AES re-key after every draw): about 4 µs here under `perf`,
/// paid by every page with a form (its masked CSRF token) and every add-to-cart (the
/// cart's checkout token). Each byte is handed out once and zeroed in the pool as it goes.
/// A forked child empties the pool it inherited (`pthread_atfork`), so a worker and its
/// master, or two workers, never hand out the same bytes.
enum RandomBytePool {
    private static let size = 4096

    /// The pool's bytes, its lock, and how many of its last bytes are still unread.
    private struct Storage {
        let bytes: UnsafeMutablePointer<UInt8>
        let mutex: UnsafeMutablePointer<pthread_mutex_t>
        let remaining: UnsafeMutablePointer<Int>
    }

    nonisolated(unsafe) private static let storage: Storage = {
        let storage = Storage(bytes: .allocate(capacity: size), mutex: .allocate(capacity: 1), remaining: .allocate(capacity: 1))
        storage.bytes.initialize(repeating: 0, count: size)
        storage.remaining.initialize(to: 0)
        pthread_mutex_init(storage.mutex, nil)
        // Held across fork, so the child never inherits it locked by a thread it does not have.
        pthread_atfork({ RandomBytePool.lock() }, { RandomBytePool.unlock() }, { RandomBytePool.emptyInChild() })
        return storage
    }()

    /// Fills `destination` with bytes from the CSPRNG; large requests go to it directly.
    static func fill(_ destination: UnsafeMutableRawBufferPointer) {
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        let count = destination.count
        guard count <= size / 8 else {
            precondition(RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(count)) == 1, "RAND_bytes failed")
            return
        }
        lock()
        defer { unlock() }
        let storage = storage
        if storage.remaining.pointee < count {
            precondition(RAND_bytes(storage.bytes, Int32(size)) == 1, "RAND_bytes failed")
            storage.remaining.pointee = size
        }
        let start = storage.bytes + (size - storage.remaining.pointee)
        base.copyMemory(from: start, byteCount: count)
        start.update(repeating: 0, count: count)
        storage.remaining.pointee -= count
    }

    private static func lock() { pthread_mutex_lock(storage.mutex) }
    private static func unlock() { pthread_mutex_unlock(storage.mutex) }

    /// In a fork's child (the lock held since before the fork): what the parent drew is
    /// the parent's alone.
    private static func emptyInChild() {
        let storage = storage
        storage.bytes.update(repeating: 0, count: size)
        storage.remaining.pointee = 0
        pthread_mutex_unlock(storage.mutex)
    }
}
