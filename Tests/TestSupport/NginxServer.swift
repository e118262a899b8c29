import Foundation

/// A real nginx in front of one or more pools (several sockets: one upstream,
/// round-robin), from deploy/nginx.conf.template, the very file `make run`
/// renders (deploy/scripts/nginx.sh), on a free loopback port.
public final class NginxServer {
    public let port: Int
    public let directory: String
    public let mediaRoot: String
    private let process = Process()

    public init(sockets: [String], mediaRoot: String? = nil) throws {
        directory = try Paths.temporaryDirectory("nginx")
        port = Paths.freePort()
        self.mediaRoot = mediaRoot ?? directory + "/media"
        try FileManager.default.createDirectory(atPath: self.mediaRoot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        let config = try NginxServer.render(port: port, sockets: sockets, prefix: directory, mediaRoot: self.mediaRoot)
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: NginxServer.binary)
        process.arguments = ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log", "-g", "daemon off;"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let port = self.port
        try waitUntil(timeout: 10) { HTTPClient.isListening(port: port) }
    }

    public static var templatePath: String { Paths.repositoryRoot + "/deploy/nginx.conf.template" }

    /// The template with its @NAMES@ filled in, as deploy/scripts/nginx.sh's `render` does.
    public static func render(port: Int, sockets: [String], prefix: String, mediaRoot: String) throws -> String {
        let servers = (sockets.map { "        server unix:\($0) max_fails=0;" }
            + sockets.map { "        server unix:\($0) max_fails=0 backup;" }).joined(separator: "\n")
        return try String(contentsOfFile: templatePath, encoding: .utf8)
            .replacingOccurrences(of: "@USER@", with: getuid() == 0 ? "user root root;" : "")
            .replacingOccurrences(of: "@PORT@", with: String(port))
            .replacingOccurrences(of: "@PREFIX@", with: prefix)
            .replacingOccurrences(of: "@PUBLIC_DIR@", with: Paths.repositoryRoot + "/Public")
            .replacingOccurrences(of: "@MEDIA_DIR@", with: mediaRoot)
            .replacingOccurrences(of: "@UPSTREAM_SERVERS@", with: servers)
    }

    /// nginx's error log so far (the tests' nginx writes it under its folder).
    public var errorLog: String { (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "" }

    static var binary: String {
        for path in ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return "/usr/sbin/nginx"
    }

    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
    }

    deinit { stop() }
}
