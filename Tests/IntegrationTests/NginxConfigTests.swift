import Foundation
import TestSupport
import XCTest

/// deploy/nginx.conf (production) and deploy/nginx.conf.template (make run and the
/// tests) must protect the same way: the same maps, headers and locations.
final class NginxConfigTests: XCTestCase {
    func file(_ name: String) throws -> String {
        try String(contentsOfFile: Paths.repositoryRoot + "/deploy/" + name, encoding: .utf8)
    }

    /// From the first `map` to the end, without comments, blank lines and the lines that
    /// differ by design (paths, ports, names, logs, temp folders, cache lifetimes).
    func rules(_ text: String) -> [String] {
        let lines = text.split(separator: "\n").map { line -> String in
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return code.trimmingCharacters(in: .whitespaces)
        }
        let start = lines.firstIndex { $0.hasPrefix("map ") } ?? 0
        let differing = ["alias ", "expires ", "listen ", "server_name ", "server unix:", "@UPSTREAM_SERVERS@", "access_log ", "gzip"]
        return lines[start...].filter { line in !line.isEmpty && !line.contains("_temp_path ") && !differing.contains { line.hasPrefix($0) } }
    }

    func testProductionAndTemplateHaveTheSameRules() throws {
        let production = rules(try file("nginx.conf"))
        let template = rules(try file("nginx.conf.template"))
        XCTAssertEqual(production, template)
        XCTAssertGreaterThan(production.count, 40)
    }

    func testBothServeStatusToLocalAddressesOnly() throws {
        for name in ["nginx.conf", "nginx.conf.template"] {
            let lines = rules(try file(name))
            let start = try XCTUnwrap(lines.firstIndex(of: "location = /-/status {"), name)
            XCTAssertEqual(Array(lines[(start + 1)...(start + 3)]), ["allow 127.0.0.1;", "allow ::1;", "deny all;"], name)
            XCTAssertTrue(lines.contains("fastcgi_param HTTP_HOST $shop_http_host;"), name)
            XCTAssertFalse(lines.contains { $0.hasPrefix("include") && $0.contains("fastcgi_params") }, name)
            XCTAssertEqual(lines.filter { $0 == "location ~ /\\. { deny all; }" }.count, 2, "no dotfiles from /static/ or /media/ in \(name)")
            XCTAssertTrue(lines.contains("fastcgi_buffer_size 32k;"), name)
            // A connection per request: a kept one would tie a worker to it (README, "Deploying").
            XCTAssertFalse(lines.contains { $0.hasPrefix("fastcgi_keep_conn on") || $0.hasPrefix("keepalive ") }, name)
        }
    }

    /// The production file is valid nginx, as written.
    func testTheProductionConfigParses() throws {
        guard getuid() == 0 else { throw XCTSkip("nginx -t on the production config needs root (user www-data)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        let prefix = try Paths.temporaryDirectory("nginx-t")
        process.arguments = ["-t", "-q", "-e", prefix + "/error.log", "-c", Paths.repositoryRoot + "/deploy/nginx.conf"]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
    }
}
