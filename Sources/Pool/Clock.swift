import Glibc

/// CLOCK_MONOTONIC in nanoseconds: the same clock in every process, immune to wall-clock jumps,
/// so a worker's request start time means the same thing to the master.
enum Clock {
    static let nanosecondsPerSecond: Int64 = 1_000_000_000

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * nanosecondsPerSecond + Int64(time.tv_nsec)
    }
}
