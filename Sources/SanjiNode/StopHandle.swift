import Synchronization

extension NodeRuntime {
    /// Stops a running runtime from another thread (a signal handler).
    public final class StopHandle: Sendable {
        private let stopped = Mutex(false)
        /// A handle not yet stopped.
        public init() {}
        /// Asks the runtime to stop; it finishes its turn, records its links as stopped and returns.
        public func stop() { stopped.withLock { $0 = true } }
        /// Whether `stop()` was called.
        public var isStopped: Bool { stopped.withLock { $0 } }
    }
}
