#include "CFutex.h"

#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

int shop_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *timeout) {
    return (int)syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout, NULL, 0);
}

int shop_futex_wake_all(uint32_t *word) {
    return (int)syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
