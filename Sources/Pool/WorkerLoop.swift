import FastCGI

extension WorkerContext {
    /// The worker loop in the order the pool relies on: accept, mark busy, handle, finish
    /// (response flushed to nginx), mark idle; ends on shutdown, recycling or a failed accept.
    /// `handle` must not call `finish()` or `accept()` itself.
    public func serve(_ acceptor: FastCGIAcceptor, _ handle: (FastCGIAcceptor) -> Void) {
        while !shouldStop && acceptor.accept() {
            requestStarted()
            handle(acceptor)
            acceptor.finish()
            requestFinished()
        }
        acceptor.finish()
    }
}
