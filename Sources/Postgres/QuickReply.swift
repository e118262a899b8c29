import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// `PQexecPrepared` for a read, waiting for its reply without going to sleep when it comes
/// at once.
///
/// A read (every page's catalog check, a session load) is answered in tens of microseconds.
/// Sleeping in `poll()` until then costs two context switches and a wake-up, which on this
/// VM's two cores is dear: under wrk on `GET /`, 37% of PostgreSQL's CPU was its wake-up of
/// the worker (`_raw_spin_unlock_irqrestore` in `try_to_wake_up`), and 12% of the worker's
/// was `finish_task_switch`. So the worker first yields the CPU a few times, reading the
/// socket in between (the backend is often queued on this very CPU, and runs at once), and
/// sleeps only when the reply has not come by then. Measured with `make bench` against the
/// build without it (2 rounds, medians): `GET /` 0.56 → 0.70 of the bare page, its p99
/// 5.67 → 4.79 ms, its worker CPU unchanged. Writes are left out: a commit waits for the
/// disk (some 115 µs here), and yielding through it made the add-to-cart dearer in a trial
/// (182 → 201–242 µs of worker CPU).
///
/// How many yields a read may spend adapts to where the database is: doubled (up to 32) when
/// the reply came while yielding, halved (down to 2) when the read had to sleep anyway. A
/// database on another host, whose replies never come that fast, then costs a couple of
/// yields a read instead of 32.
struct QuickReply {
    static let maxYields = 32
    static let minYields = 2

    /// Yields the next read may spend before it sleeps.
    private(set) var budget = QuickReply.maxYields

    /// Whether `sql` only reads, so its reply needs no commit to the disk first.
    static func isRead(_ sql: String) -> Bool {
        sql.utf8.starts(with: "SELECT ".utf8)
    }

    /// The budget after a read whose reply did (or did not) come while yielding.
    static func budget(after budget: Int, replyCameWhileYielding: Bool) -> Int {
        replyCameWhileYielding ? min(maxYields, budget * 2) : max(minYields, budget / 2)
    }

    /// What `PQexecPrepared` returns: the last result, or nil when the query could not be sent.
    mutating func execPrepared(_ connection: OpaquePointer, _ name: String, _ count: Int32,
                               _ values: UnsafePointer<UnsafePointer<CChar>?>?) -> OpaquePointer? {
        // A command still in progress: PQexecPrepared knows how to report it.
        guard PQtransactionStatus(connection) != PQTRANS_ACTIVE else {
            return PQexecPrepared(connection, name, count, values, nil, nil, 0)
        }
        // Not sent (a lost connection): as PQexecPrepared, nil, and PQerrorMessage says why.
        guard PQsendQueryPrepared(connection, name, count, values, nil, nil, 0) == 1 else { return nil }
        var yielded = 0
        var busy = PQisBusy(connection) == 1
        while busy && yielded < budget {
            sched_yield()
            if PQconsumeInput(connection) == 0 { break }  // lost: PQgetResult reports it
            busy = PQisBusy(connection) == 1
            yielded += 1
        }
        budget = Self.budget(after: budget, replyCameWhileYielding: !busy)
        // As PQexecPrepared ends (PQexecFinish): every result read, the last one kept.
        var last: OpaquePointer?
        while let result = PQgetResult(connection) {
            if let previous = last { PQclear(previous) }
            last = result
            let status = PQresultStatus(result)
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH
                || PQstatus(connection) == CONNECTION_BAD { break }
        }
        return last
    }
}
