import Foundation
import GRDB
import SanjiCore

/// How this node links to others.
public struct LinkConfig: Sendable, Equatable {
    /// Where children connect (`tcp://0.0.0.0:7701`); nil on a node without children.
    public var listen: String?
    /// The endpoint bound last time, when `listen` names a wildcard port (`tcp://127.0.0.1:*`).
    public var listenResolved: String?
    /// The parent's endpoint; nil at the root.
    public var parent: String?
    /// The parent's CURVE public key.
    public var parentKey: String?
    /// The parent's node id, learnt from its WELCOME.
    public var parentId: String?

    /// Throws when a parent is named without its key (nothing could be said to it).
    public func requireParentKey() throws {
        guard let parent, parentKey == nil else { return }
        throw SanjiError(.invalidArgument, "this node has a parent (\(parent)) but no parent key",
                         hint: "the parent's key is given at `sanji init … --parent-key='<key>'` (the parent's `sanji keys show` prints it); a store made without it is made again")
    }
}

/// One link as `sanji serve` last saw it: written by serve every second, read by `sanji status`,
/// health checks and `sanji cluster`.
public struct LinkRecord: Sendable, Equatable {
    /// Which side of the link this node is on.
    public enum Role: String, Sendable {
        /// The record of `sanji serve` itself (that it runs), even with no links yet.
        case serve = "self"
        /// The link to this node's parent.
        case parent
        /// A link from one enrolled child.
        case child
    }

    /// What the link is doing.
    public enum State: String, Sendable {
        /// `serve` runs (role `serve`).
        case serving
        /// `serve` stopped cleanly; the records are history.
        case stopped
        /// Connecting to the parent, or saying HELLO until it answers.
        case connecting
        /// Welcomed by the parent; rows flow.
        case up
        /// The parent went silent; reconnecting.
        case down
        /// The parent refused this node (revoked, another copy, an older protocol); retried later.
        case refused
        /// A child that is heard from.
        case connected
        /// A child that went silent.
        case silent
    }

    /// A record older than this (seconds) was not written by a running serve: serve rewrites its
    /// records every second, and a busy store may delay a write by a few.
    public static let freshFor: Int64 = 5

    /// `self` for serve's own record, `parent` for the parent link, the child's node id for a child.
    public var peer: String
    /// What the record is of: serve itself, the parent link or a child.
    public var role: Role
    /// The endpoint serve listens on (role `serve`) or the parent's; nil for a child.
    public var endpoint: String?
    /// What the link is doing.
    public var state: State
    /// When the peer was last heard from (seconds since the epoch).
    public var lastHeardAt: Int64?
    /// The acknowledged rev: for the parent, what it has committed of this node's rows; for a
    /// child, what this node has committed of the child's.
    public var cursor: UInt64?
    /// The peer's catalogue sequence (this node's own, for serve's record); nil when not known.
    public var catalogSeq: UInt64?
    /// The last refusal or problem, in words.
    public var detail: String?
    /// When serve wrote this record (seconds since the epoch).
    public var updatedAt: Int64

    /// A record as `sanji serve` writes it with `recordLinks`.
    public init(peer: String, role: Role, endpoint: String?, state: State, lastHeardAt: Int64?, cursor: UInt64?,
                catalogSeq: UInt64?, detail: String?, updatedAt: Int64) {
        self.peer = peer
        self.role = role
        self.endpoint = endpoint
        self.state = state
        self.lastHeardAt = lastHeardAt
        self.cursor = cursor
        self.catalogSeq = catalogSeq
        self.detail = detail
        self.updatedAt = updatedAt
    }

    /// Whether a running serve wrote this record lately.
    public func isFresh(at now: Timestamp) -> Bool { now.seconds - updatedAt <= Self.freshFor }
}

/// Whether `sanji serve` runs for a data directory, told by its lock (not by the store, which a
/// long import may hold): running, running but not writing lately (the store is busy), or not.
public enum ServeState: Sendable, Equatable {
    case running(pid: Int32)
    case busy(pid: Int32, silentFor: Int64)
    case notRunning

    /// What `sanji status` says of it.
    public var text: String {
        switch self {
        case .running(let pid): "running (pid \(pid))"
        case .busy(let pid, let s): "running (pid \(pid)), but it has not written for \(s) s: the store is busy (a long import?)"
        case .notRunning: "not running"
        }
    }

    /// True when serve runs, busy or not.
    public var isRunning: Bool { if case .notRunning = self { false } else { true } }
}

extension NodeStore {
    // MARK: Link configuration

    /// This node's link settings: its `listen`, its parent's endpoint, key and id.
    public func linkConfig() throws -> LinkConfig {
        try read { db in
            LinkConfig(listen: try Meta.get(db, .listen), listenResolved: try Meta.get(db, .listenResolved),
                       parent: try Meta.get(db, .parent), parentKey: try Meta.get(db, .parentKey), parentId: try Meta.get(db, .parentId))
        }
    }

    /// Sets where children connect and the parent's key (each only when given).
    public func setLinkConfig(listen: String?, parentKey: String?) throws {
        try write { db in
            if let listen { try Meta.set(db, .listen, listen) }
            if let parentKey { try Meta.set(db, .parentKey, parentKey) }
        }
    }

    /// The endpoint a wildcard `listen` was bound to, so that children and tests can find it.
    public func setResolvedListen(_ endpoint: String) throws {
        try write { db in try Meta.set(db, .listenResolved, endpoint) }
    }

    /// The parent's node id, as its WELCOME said.
    public func setParentId(_ id: String) throws {
        try write { db in try Meta.set(db, .parentId, id) }
    }

    // MARK: Link records

    /// Replaces the records of these peers (serve, every second).
    public func recordLinks(_ records: [LinkRecord]) throws {
        guard !records.isEmpty else { return }
        try write { db in
            for r in records {
                try db.cachedStatement(sql: """
                    INSERT INTO link (peer, role, endpoint, state, last_heard_at, cursor, catalog_seq, detail, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (peer) DO UPDATE SET role = excluded.role, endpoint = excluded.endpoint, state = excluded.state,
                      last_heard_at = excluded.last_heard_at, cursor = excluded.cursor, catalog_seq = excluded.catalog_seq,
                      detail = excluded.detail, updated_at = excluded.updated_at
                    """).execute(arguments: [r.peer, r.role.rawValue, r.endpoint, r.state.rawValue, r.lastHeardAt, r.cursor.map(Int64.init),
                                             r.catalogSeq.map(Int64.init), r.detail, r.updatedAt])
            }
        }
    }

    /// Every link record, serve's own first, then the parent, then children by id.
    public func links() throws -> [LinkRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM link ORDER BY role DESC, peer").compactMap { r in
                guard let role = LinkRecord.Role(rawValue: r["role"]) else { return nil }
                return LinkRecord(peer: r["peer"], role: role, endpoint: r["endpoint"], state: LinkRecord.State(rawValue: r["state"]) ?? .stopped,
                                  lastHeardAt: r["last_heard_at"], cursor: (r["cursor"] as Int64?).map(UInt64.init),
                                  catalogSeq: (r["catalog_seq"] as Int64?).map(UInt64.init), detail: r["detail"], updatedAt: r["updated_at"])
            }
        }
    }

    /// The link to the parent as serve last recorded it; nil at the root or before the first link.
    public func parentLink() throws -> LinkRecord? { try links().first { $0.role == .parent } }

    /// Whether `sanji serve` runs here: its lock says whether it runs, its own link record whether
    /// it wrote lately.
    public func serveState(now: Timestamp? = nil) throws -> ServeState {
        let now = now ?? clock.now
        guard let pid = ServeLock.holder(in: directory) else { return .notRunning }
        let me = try links().first { $0.role == .serve }
        if let me, me.isFresh(at: now) { return .running(pid: pid) }
        return .busy(pid: pid, silentFor: now.seconds - (me?.updatedAt ?? 0))
    }

    /// True when a running serve has its parent link up and the parent has acknowledged every row
    /// this node holds (`sanji cluster wait`, and before unplugging a station).
    public func hasSentEverything(now: Timestamp? = nil) throws -> Bool {
        let now = now ?? clock.now
        guard let p = try parentLink(), p.state == .up, p.isFresh(at: now) else { return false }
        return try backlog(above: p.cursor ?? 0) == 0
    }
}

/// What `sanji serve` looks at on every poll, in one read: whether there are new rows to send
/// up, a new catalogue to push down, a changed enrolment, or a question of `sanji verify`.
public struct StoreState: Sendable, Equatable {
    /// This node's highest rev.
    public var rev: UInt64 = 0
    /// The catalogue sequence this node holds.
    public var catalogSeq: UInt64 = 0
    /// Changes whenever an enrolment changes (a child enrolled or revoked, here or relayed).
    public var enrolmentStamp: Int64 = -1
    /// `sanji verify` filed a question or a heal request that serve has not sent yet.
    public var questionsWaiting = false

    /// A state before anything is read: counters at 0, `enrolmentStamp` -1.
    public init() {}
}

extension NodeStore {
    /// The store's counters as they stand (cheap: a few primary-key and index lookups).
    public func state() throws -> StoreState {
        try read { db in
            var s = StoreState()
            s.rev = UInt64(try Counter.value(db, .rev))
            s.catalogSeq = UInt64(try Counter.value(db, .catalogSeq))
            s.enrolmentStamp = try TreeCache.stamp(db)
            s.questionsWaiting = try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM verify_request WHERE sent_at IS NULL) OR EXISTS (SELECT 1 FROM heal_request WHERE sent_at IS NULL)
                """)) ?? false
            return s
        }
    }
}
