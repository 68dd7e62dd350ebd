import SanjiCore

/// ROWS read together from any children are committed in one transaction, then each is
/// acknowledged (docs/benchmarks.md, fan-in). Any other message from a child first flushes them,
/// so that each child's messages keep their order; a transaction stays bounded, so that a
/// clerk's command waiting for the write lock is not held up long.
public struct GroupCommit: Sendable {
    /// Rows after which the group must be committed.
    public let limit: Int
    /// The batches waiting, in arrival order.
    public private(set) var pending: [(child: String, batch: SyncBatch)] = []
    /// Rows in the waiting batches.
    public private(set) var rows = 0

    /// An empty group committed at `limit` rows.
    public init(limit: Int) { self.limit = limit }

    /// Adds a batch; true when the group is full and must be committed now.
    public mutating func add(_ batch: SyncBatch, from child: String) -> Bool {
        pending.append((child, batch))
        rows += batch.summary.count + batch.nodes.count + batch.exceptions.count + batch.seals.count
        return rows >= limit
    }

    /// The batches to commit, in arrival order; the group starts empty again.
    public mutating func take() -> [(child: String, batch: SyncBatch)] {
        defer {
            pending = []
            rows = 0
        }
        return pending
    }

    /// Whether nothing waits.
    public var isEmpty: Bool { pending.isEmpty }
}
