import Logging
import SanjiCore
import SanjiStore

/// A node's own work on its store while it serves, apart from the links: its status part, the
/// open cases that pass their deadline, the monthly rollups, the link records `sanji status`
/// reads, and the watch on the store's files. The runtime runs each when its `Schedule` says.
final class Chores {
    let store: NodeStore
    let options: RuntimeOptions
    let logger: Logger
    /// The store's files as serve found them.
    private var files: StoreFiles
    private var lastRollupRev: UInt64 = 0

    init(store: NodeStore, options: RuntimeOptions, logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
        files = StoreFiles.current(in: store.directory)
    }

    /// Says so when opening the store began a new copy of the station (it was copied or restored).
    func noteNewCopy(_ incarnation: Incarnation) {
        guard let reason = store.newIncarnationReason else { return }
        logger.notice("\(reason); it runs as a new copy", metadata: ["incarnation": .string(incarnation.id), "after": .string(incarnation.lineage.first ?? "-")])
    }

    /// Rewrites this node's status part if it changed (or is older than the status interval).
    /// `acknowledged`: what the parent holds of this node's rows, for the backlog (nil at the root).
    func refreshStatus(acknowledged: UInt64?, clockSkew: Int64, now: Int64) throws {
        let backlog = try acknowledged.map { try store.dataBacklog(above: $0) } ?? 0
        // Rounded to the minute, so that a second of jitter does not rewrite the status.
        try store.refreshOwnStatus(now: Timestamp(seconds: now / 1000), interval: options.statusInterval, backlog: backlog,
                                   clockSkew: (clockSkew / 60) * 60)
    }

    /// Open cases whose deadline passed become exception records (a case is late by the clock alone).
    func sweep(now: Int64) throws {
        let made = try store.sweepOverdue(now: Timestamp(seconds: now / 1000))
        if made > 0 { logger.info("open cases passed their deadline", metadata: ["cases": .stringConvertible(made)]) }
    }

    /// Restamps this node's rows of `months` so that they travel up again (sealed: parents drop
    /// what this node no longer has), for `sanji verify`'s heal.
    func restamp(months: [String], seal: Bool) throws {
        let rows = try store.restamp(months: months, seal: seal)
        logger.notice(seal ? "sending rows again, sealed: parents drop what this node no longer has" : "sending rows again to heal a parent's copy",
                      metadata: ["months": .string(months.joined(separator: ",")), "rows": .stringConvertible(rows)])
    }

    /// Brings the monthly rollups up to date when rows changed, if no one else is writing.
    func refreshRollups(rev: UInt64) throws {
        guard rev != lastRollupRev else { return }
        if try store.refreshRollups(wait: false) { lastRollupRev = rev }
    }

    /// The store's files removed or replaced under the node (a disk cleaner, an operator): every
    /// write from here on would go where no one reads it, so the node must stop (serve exits
    /// non-zero; systemd and compose restart it on whatever the files are then). Returns why.
    func filesChanged() -> SanjiError? {
        let now = StoreFiles.current(in: store.directory)
        if files.wal == nil, now.wal != nil { files.wal = now.wal }   // the log appears with the first write
        guard let change = now.change(since: files, directory: store.directory) else { return nil }
        store.saveWhatCanBeSaved()
        return SanjiError(.io, change, hint: "committed work since the last checkpoint may be lost: see docs/operations.md (a store's files removed); "
            + "then `sanji verify` at the county shows what it holds that this station no longer has")
    }

    /// Writes the link records: serve itself (that it runs), the parent link and every child.
    func recordLinks(now: Int64, stopped: Bool, listening: String?, catalogSeq: UInt64, parent: (endpoint: String, link: ParentLink)?,
                     children: [ChildSession]) throws {
        let seconds = now / 1000
        var records = [LinkRecord(peer: "self", role: .serve, endpoint: listening, state: stopped ? .stopped : .serving,
                                  lastHeardAt: seconds, cursor: nil, catalogSeq: catalogSeq, detail: nil, updatedAt: seconds)]
        if let (endpoint, link) = parent {
            records.append(LinkRecord(peer: "parent", role: .parent, endpoint: endpoint, state: stopped ? .stopped : link.state,
                                      lastHeardAt: link.lastHeardMs / 1000, cursor: link.uplink.acked, catalogSeq: link.parentCatalogSeq,
                                      detail: link.detail, updatedAt: seconds))
        }
        let cursors = children.isEmpty ? [:] : try store.cursors()
        for s in children {
            records.append(LinkRecord(peer: s.id, role: .child, endpoint: nil, state: stopped ? .stopped : (s.connected ? .connected : .silent),
                                      lastHeardAt: s.lastHeardMs / 1000, cursor: cursors[s.id] ?? 0, catalogSeq: s.catalogSeq,
                                      detail: nil, updatedAt: seconds))
        }
        try store.recordLinks(records)
    }
}
