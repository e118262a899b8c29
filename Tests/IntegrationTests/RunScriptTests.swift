import Foundation
import TestSupport
import XCTest

/// `make run` (deploy/scripts/run.sh) stops everything it started however it is stopped: a
/// SIGTERM or SIGHUP to its process group, with its output going through a pipe whose reader
/// dies of the same signal (a supervisor, `| tee`), or a SIGKILL to the script alone. It runs
/// with the debug binary (SHOP_BINARY, no release build) and its state in a private folder
/// (SHOP_DATA_DIR).
final class RunScriptTests: XCTestCase {
    var data = ""
    var spawned: pid_t = 0

    override func setUpWithError() throws {
        data = try Paths.temporaryDirectory("run")
        chmod(data, 0o755)  // PostgreSQL's own user must reach the cluster inside
    }

    override func tearDown() {
        // Whatever a failed test left running from the folder.
        _ = try? Self.bash(["\(Paths.repositoryRoot)/deploy/scripts/stop.sh"], environment: ["SHOP_DATA_DIR": data])
        var status: Int32 = 0
        for _ in 0..<600 where spawned > 0 && waitpid(spawned, &status, WNOHANG) == 0 { usleep(100_000) }
        // Then the private cluster, and the folder. make test's TMPDIR is 0700, out of PostgreSQL's
        // reach, so the cluster lives in /var/tmp behind a link (postgres.sh), which removing the
        // folder alone left there: 47 MB after every run.
        // Where the link points is read first: `--destroy` removes the link with the cluster.
        let cluster = (try? FileManager.default.destinationOfSymbolicLink(atPath: data + "/postgres")) ?? ""
        _ = try? Self.bash(["\(Paths.repositoryRoot)/deploy/scripts/stop.sh", "--destroy"], environment: ["SHOP_DATA_DIR": data])
        try? FileManager.default.removeItem(atPath: data)
        XCTAssertFalse(!cluster.isEmpty && FileManager.default.fileExists(atPath: cluster), "\(cluster) outlives the test")
    }

    @discardableResult
    static func bash(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process
    }

    /// Starts run.sh in a process group (and session) of its own, its output piped through
    /// `cat` into a log; returns the group's id once the shop answers.
    func startRun(_ environment: [String: String]) throws -> (group: Int32, port: Int) {
        let port = Paths.freePort()
        var env = ProcessInfo.processInfo.environment
        env["SHOP_DATA_DIR"] = data
        env["PORT"] = String(port)
        env["WORKERS"] = "2"
        for (name, value) in environment { env[name] = value }
        // A session (so a process group) of its own, as a terminal's job has: its pid is the group's id.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal handling, as from a shell (the test runner may ignore or block some):
        // POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID (0x80, glibc 2.26+,
        // a macro Swift does not import).
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) | 0x80)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let arguments: [String] = ["/bin/bash", "-c", "bash \"$0\" 2>&1 | cat >\"$1\"",
                                   "\(Paths.repositoryRoot)/deploy/scripts/run.sh", data + "/run.log"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var group: pid_t = 0
        guard posix_spawn(&group, "/bin/bash", &actions, &attributes, argv, envp) == 0 else { throw HarnessError("posix_spawn failed") }
        spawned = group
        try waitUntil(timeout: 120) { (try? HTTPClient.request(port: port, path: "/-/health").status) == 200 }
        return (group, port)
    }

    func pid(in file: String) -> Int32? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return Int32(text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces) ?? "")
    }

    /// The fields of /proc/PID/stat after the command's name: the state, then the parent's pid, ...
    static func statFields(_ pid: pid_t) -> [Substring] {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ") ?? []
    }

    /// Exited (a zombie nobody reaped yet counts as exited).
    static func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        return statFields(pid).first == "Z"
    }

    /// The lists of what a run started (run.sh's `started.PID`) still in the folder.
    func startedLists() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/run")) ?? []).filter { $0.hasPrefix("started.") }
    }

    /// Sends `signal` to `target` (a negative pid: a process group) and waits for the pool, nginx
    /// and (withPostgres) PostgreSQL to exit, for the port to close and the pid file and the list
    /// of what the run started to go.
    func assertEverythingStops(after signal: Int32, to target: pid_t, port: Int, withPostgres: Bool) throws {
        let pool = try XCTUnwrap(pid(in: data + "/run/shop.pid"), "the pool's pid file")
        let nginx = try XCTUnwrap(pid(in: data + "/nginx/nginx.pid"), "nginx's pid file")
        let postgres = withPostgres ? try XCTUnwrap(pid(in: data + "/postgres/data/postmaster.pid")) : nil
        XCTAssertEqual(kill(target, signal), 0)
        let log = data + "/run.log"
        let deadline = Date().addingTimeInterval(60)
        var left: [String] = []
        repeat {
            left = [("pool", pool), ("nginx", nginx), ("postgres", postgres ?? 0)]
                .filter { $0.1 > 0 && !Self.isGone($0.1) }.map { "\($0.0) \($0.1)" }
            if left.isEmpty { break }
            usleep(100_000)
        } while Date() < deadline
        XCTAssertEqual(left, [], "still running after the signal")
        XCTAssertFalse(HTTPClient.isListening(port: port), "nothing answers on the port")
        XCTAssertFalse(FileManager.default.fileExists(atPath: data + "/run/shop.pid"), (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        // The list goes last, once everything on it is stopped.
        try? waitUntil(timeout: 20) { self.startedLists().isEmpty }
        XCTAssertEqual(startedLists(), [], "the run's list of what it started outlives its stop")
    }

    func testTermToTheProcessGroupStopsThePoolNginxAndPostgres() throws {
        XCTAssertNotNil(ProcessInfo.processInfo.environment["SHOP_BINARY"], "make test sets SHOP_BINARY (no release build here)")
        // No DATABASE_URL: run.sh starts (and must stop) a private PostgreSQL in the folder.
        let (group, port) = try startRun(["SHOP_PG_PORT": String(Paths.freePort()), "DATABASE_URL": ""])
        try assertEverythingStops(after: SIGTERM, to: -group, port: port, withPostgres: true)
    }

    func testHangupStopsEverythingToo() throws {
        let (group, port) = try startRun(["DATABASE_URL": TestDatabase.url])
        try assertEverythingStops(after: SIGHUP, to: -group, port: port, withPostgres: false)
    }

    /// No trap runs after a SIGKILL (and bash 5.2.15 sometimes loses its EXIT trap to a SIGHUP
    /// that lands just as the shop comes up): run.sh's guard stops what the script started once
    /// the script is gone.
    func testKillingTheScriptItselfStillStopsThePoolAndNginx() throws {
        let (group, port) = try startRun(["DATABASE_URL": TestDatabase.url])
        let script = try XCTUnwrap(Self.child(of: group, running: "run.sh"), "run.sh's bash under the group leader")
        try assertEverythingStops(after: SIGKILL, to: script, port: port, withPostgres: false)
    }

    /// The pid of a child of `parent` whose command line mentions `word`.
    static func child(of parent: pid_t, running word: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  case let fields = statFields(pid), fields.count > 1, pid_t(fields[1]) == parent,
                  let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                  command.contains(word) else { continue }
            return pid
        }
        return nil
    }
}
