import Foundation

/// A real nginx in front of one or more pools (several sockets: one upstream,
/// round-robin), configured like deploy/nginx.conf, on a free loopback port.
public final class NginxServer {
    public let port: Int
    public let directory: String
    private let process = Process()

    public init(sockets: [String], mediaRoot: String? = nil) throws {
        directory = try Paths.temporaryDirectory("nginx")
        port = Paths.freePort()
        let servers = sockets.map { "        server unix:\($0);" }.joined(separator: "\n")
        let user = getuid() == 0 ? "user root root;" : ""
        let config = """
            \(user)
            worker_processes 1;
            daemon off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log warn;
            events { worker_connections 1024; }
            http {
                include /etc/nginx/mime.types;
                access_log off;
                client_body_temp_path \(directory)/client_body;
                fastcgi_temp_path \(directory)/fastcgi;
                proxy_temp_path \(directory)/proxy;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                upstream shop {
            \(servers)
                }
                server {
                    listen 127.0.0.1:\(port);
                    client_max_body_size 10m;
                    location /static/ { alias \(Paths.repositoryRoot)/Public/; }
                    location /media/ { alias \(mediaRoot ?? directory)/; }
                    location / {
                        include /etc/nginx/fastcgi_params;
                        fastcgi_param HTTP_PROXY "";
                        fastcgi_pass shop;
                    }
                }
            }
            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: NginxServer.binary)
        process.arguments = ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let port = self.port
        try waitUntil(timeout: 10) { HTTPClient.isListening(port: port) }
    }

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
