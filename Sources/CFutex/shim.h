// futex(2), which glibc does not wrap (syscall() is variadic, so Swift cannot call it).
// Shared (not FUTEX_PRIVATE): the word lives in memory the pool's master mapped before forking.
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/// Sleeps while the 32-bit word at `address` holds `expected`, at most `nanoseconds`:
/// 0 when woken, else -1 with errno (EAGAIN: it no longer held `expected`; ETIMEDOUT; EINTR).
static inline int shop_futex_wait(uint32_t *address, uint32_t expected, int64_t nanoseconds) {
    struct timespec timeout = { .tv_sec = nanoseconds / 1000000000, .tv_nsec = nanoseconds % 1000000000 };
    return (int)syscall(SYS_futex, address, FUTEX_WAIT, expected, &timeout, NULL, 0);
}

/// Wakes every process sleeping on the word at `address`.
static inline int shop_futex_wake_all(uint32_t *address) {
    return (int)syscall(SYS_futex, address, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}
