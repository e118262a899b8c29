import Glibc

/// Makes a worker get SIGTERM when its master dies (Linux PR_SET_PDEATHSIG), so a master killed
/// with SIGKILL (or by the OOM killer) does not leave orphans holding the listening socket.
enum ParentWatch {
    /// Call in the child right after fork(), with the master's pid read before the fork.
    static func stopWhenMasterDies(masterPID: Int32) {
        // prctl is variadic, which Swift cannot import. Its integer-only call matches this fixed
        // five-`unsigned long` signature on Linux x86-64 and arm64, so it is looked up and called so.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        let setParentDeathSignal: Int32 = 1  // PR_SET_PDEATHSIG
        if let symbol = dlsym(nil, "prctl") {
            let prctl = unsafeBitCast(symbol, to: Prctl.self)
            _ = prctl(setParentDeathSignal, UInt(SIGTERM), 0, 0, 0)
        }
        // The master may have died between fork() and prctl(): then no signal will ever come.
        if getppid() != masterPID { _exit(0) }
    }
}
