import Glibc

/// One line to stderr in a single write(2), so lines from master and workers never interleave.
/// (stdio's `stderr` is shared mutable state that Swift 6 rejects, and it must not be used in forks.)
func poolLog(_ message: String) {
    var line = "pool: " + message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// "code 0", "signal 9": how a waitpid status ended (WIFEXITED and friends are C macros).
func describeExit(_ status: Int32) -> String {
    let signal = status & 0x7F
    if signal == 0 { return "code \((status >> 8) & 0xFF)" }
    return "signal \(signal)"
}

func exitedCleanly(_ status: Int32) -> Bool {
    status & 0x7F == 0 && (status >> 8) & 0xFF == 0
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
