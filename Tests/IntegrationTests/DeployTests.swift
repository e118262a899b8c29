import Foundation
import Postgres
import TestSupport
import XCTest

/// Deploying a new build under load loses no request: an in-place upgrade (SIGUSR2) and a
/// restart under systemd-style socket activation, each while wrk runs through nginx.
final class DeployTests: XCTestCase {
    var directory = ""
    var binary = ""
    var templates = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(LoadGenerator.isAvailable, "wrk is not installed (deploy/scripts/install-deps.sh installs it)")
        let database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        try fixture.product("Sencha", slug: "sencha", category: try fixture.category("Tea", slug: "tea"), price: "8.50")
        // An installation of its own: the program file and the templates, as in /opt/shop.
        directory = try Paths.temporaryDirectory("deploy")
        binary = directory + "/bin/shop"
        templates = directory + "/templates"
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.shopBinary, toPath: binary)
        try FileManager.default.copyItem(atPath: Paths.templates, toPath: templates)
    }

    /// A new build: the program file replaced (a new file renamed over it, as `install` does)
    /// and a template changed, so the page shows which build serves it.
    func installNewBuild(marker: String) throws {
        let staged = binary + ".new"
        try? FileManager.default.removeItem(atPath: staged)
        try FileManager.default.copyItem(atPath: Paths.shopBinary, toPath: staged)
        XCTAssertEqual(rename(staged, binary), 0)
        let base = templates + "/base.html"
        let html = try String(contentsOfFile: base, encoding: .utf8)
        try html.replacingOccurrences(of: "</body>", with: "<!-- \(marker) --></body>").write(toFile: base, atomically: true, encoding: .utf8)
    }

    func testAnInPlaceUpgradeUnderLoadLosesNoRequest() throws {
        let pidFile = directory + "/shop.pid"
        let pool = try ShopServer(workers: 2, environment: ["TEMPLATES_DIR": templates], binary: binary,
                                  arguments: ["serve", "--pid-file", pidFile])
        let nginx = try NginxServer(sockets: [pool.socketPath])
        var newMaster: Int32 = 0
        defer {
            nginx.stop()
            pool.stop()
            if newMaster > 0 { kill(newMaster, SIGTERM) }
        }
        let oldMaster = pool.pid
        XCTAssertEqual(try String(contentsOfFile: pidFile, encoding: .utf8), "\(oldMaster)\n")
        XCTAssertFalse(try HTTPClient.request(port: nginx.port, path: "/").text.contains("build 2"))

        let load = try LoadGenerator(url: "http://127.0.0.1:\(nginx.port)/", seconds: 6)
        sleep(2)
        try installNewBuild(marker: "build 2")
        kill(oldMaster, SIGUSR2)
        let result = load.finish()
        print("deploy test (SIGUSR2 upgrade): \(result)")

        XCTAssertGreaterThan(result.requests, 100, result.output)
        XCTAssertEqual(result.non2xx, 0, result.output)
        XCTAssertEqual(result.socketErrors, 0, result.output)
        // The old master handed over and exited cleanly; the new one runs the new program file.
        try waitUntil(timeout: 10) { !pool.process.isRunning }
        XCTAssertEqual(pool.process.terminationStatus, 0)
        newMaster = try XCTUnwrap(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertNotEqual(newMaster, oldMaster)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(newMaster)/exe"), binary)
        XCTAssertTrue(try HTTPClient.request(port: nginx.port, path: "/").text.contains("build 2"), "the new templates serve")
        XCTAssertTrue(FileManager.default.fileExists(atPath: pool.socketPath), "the socket stays for the new master")
        XCTAssertTrue(pool.log.contains("stopping the old master \(oldMaster)"), pool.log)

        // The new master stops as any pool does: it removes the socket and the pid file.
        kill(newMaster, SIGTERM)
        try waitUntil(timeout: 20) { kill(newMaster, 0) != 0 }
        newMaster = 0
        XCTAssertFalse(FileManager.default.fileExists(atPath: pool.socketPath))
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile))
    }

    func testAnUpgradeToABuildThatCannotStartLeavesTheOldMasterServing() throws {
        let pool = try ShopServer(workers: 1, environment: ["TEMPLATES_DIR": templates], binary: binary)
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        // The new build's templates do not compile: its master stops at start.
        try "{{#broken}} never closed".write(toFile: templates + "/base.html", atomically: true, encoding: .utf8)
        kill(pool.pid, SIGUSR2)
        try waitUntil(timeout: 15) { pool.log.contains("before taking over; this master keeps serving") }
        XCTAssertTrue(pool.process.isRunning)
        XCTAssertTrue(FileManager.default.fileExists(atPath: pool.socketPath), "the socket file stays")
        XCTAssertEqual(try HTTPClient.request(port: nginx.port, path: "/").status, 200, "the old build serves on")
    }

    func testASocketActivatedRestartUnderLoadLosesNoRequest() throws {
        let systemd = try SocketActivator(directory: directory)
        let environment = ShopServer.environment(directory: directory, workers: 2, ["TEMPLATES_DIR": templates])
        try systemd.start(binary: binary, environment: environment)
        let nginx = try NginxServer(sockets: [systemd.socketPath])
        defer { nginx.stop(); systemd.stop() }
        try waitUntil(timeout: 15) { (try? HTTPClient.request(port: nginx.port, path: "/").status) == 200 }

        let load = try LoadGenerator(url: "http://127.0.0.1:\(nginx.port)/", seconds: 6)
        sleep(2)
        try installNewBuild(marker: "build 3")
        // systemctl restart shop: stop (SIGTERM, requests in flight finish), then start anew.
        XCTAssertEqual(systemd.stop(), 0)
        try systemd.start(binary: binary, environment: environment)
        let result = load.finish()
        print("deploy test (socket-activated restart): \(result)")

        XCTAssertGreaterThan(result.requests, 100, result.output)
        XCTAssertEqual(result.non2xx, 0, result.output)
        XCTAssertEqual(result.socketErrors, 0, result.output)
        XCTAssertTrue(try HTTPClient.request(port: nginx.port, path: "/").text.contains("build 3"), "the new build serves")
        XCTAssertTrue(FileManager.default.fileExists(atPath: systemd.socketPath), "systemd's socket file is left alone")
        XCTAssertTrue(systemd.log.contains("LISTEN_FDS"), systemd.log)
    }
}
