// futex(2) for processes that share memory (the pool's workers, forked from one master). Swift
// cannot call the variadic syscall(2) itself, so these two wrap it.
#ifndef SHOP_CFUTEX_H
#define SHOP_CFUTEX_H

#include <stdint.h>
#include <time.h>

/// Sleeps while `*word` still holds `expected`, for at most `timeout` (relative; NULL: no limit),
/// or until another process wakes the word. 0 when woken; -1 with errno otherwise (EAGAIN: the
/// word had changed already; ETIMEDOUT; EINTR). Not FUTEX_PRIVATE: the word is in a MAP_SHARED
/// mapping and the sleepers are other processes.
int shop_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *timeout);

/// Wakes every process sleeping on `word`; how many woke, or -1 with errno.
int shop_futex_wake_all(uint32_t *word);

#endif
