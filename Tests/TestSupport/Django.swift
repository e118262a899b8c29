import Foundation

/// Django itself (5.2, from PyPI, in the git-ignored virtual environment that
/// `make test` keeps in .data/django-venv), for vectors made and read by the
/// real thing, and the classic Django shop under Tests/DjangoShop.
public enum Django {
    public static var python: String? {
        let path = ProcessInfo.processInfo.environment["DJANGO_PYTHON"] ?? Paths.repositoryRoot + "/.data/django-venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    public static var projectDirectory: String { Paths.repositoryRoot + "/Tests/DjangoShop" }

    public struct Run {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// Runs `python args...` in the Django project's folder with `environment` on top.
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Run {
        guard let python else {
            throw HarnessError("Django is not installed: `make test` puts it in .data/django-venv (or set DJANGO_PYTHON)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: projectDirectory)
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes while it runs, so a full pipe never blocks it.
        nonisolated(unsafe) var errorData = Data()
        let errorReader = Thread { errorData = stderr.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorReader.isFinished { usleep(1_000) }
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   errors: String(decoding: errorData, as: UTF8.self))
    }

    /// `manage.py` of the Django shop, on `databaseURL` with `secretKey`.
    public static func manage(_ arguments: [String], databaseURL: String, secretKey: String) throws -> Run {
        try run(["manage.py"] + arguments, environment: ["DJANGO_DATABASE_URL": databaseURL, "SECRET_KEY": secretKey])
    }

    /// Answers from Tests/DjangoShop/vectors.py, one per request (see there for the operations).
    public static func vectors(secret: String, _ requests: [[String: Any]]) throws -> [Any] {
        let batch = requests.map { $0.merging(["secret": secret]) { current, _ in current } }
        let input = String(decoding: try JSONSerialization.data(withJSONObject: batch), as: UTF8.self)
        let result = try run(["vectors.py"], input: input)
        guard result.status == 0 else { throw HarnessError("vectors.py failed: \(result.errors)") }
        guard let answers = try JSONSerialization.jsonObject(with: Data(result.output.utf8), options: [.fragmentsAllowed]) as? [Any],
              answers.count == requests.count else { throw HarnessError("vectors.py answered: \(result.output)") }
        return answers
    }
}
