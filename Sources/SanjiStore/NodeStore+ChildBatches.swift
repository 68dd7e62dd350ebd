import Foundation
import GRDB
import SanjiCore

/// Why a parent refused a row of a child's batch. The runtime tells the child, as the wire's
/// ERROR code for the kind (docs/protocol.md, section 8).
public struct RowRefusal: Sendable, Equatable {
    /// Which rule the row broke; the runtime answers ERROR 400, 403 or 409 for it.
    public enum Kind: Sendable, Equatable {
        /// The row cannot be: a counter below zero, more completed than accepted in one row, a
        /// field the decoder could not read.
        case impossible
        /// The child spoke for a node outside its subtree (or for this node, or itself as its own parent).
        case notItsSubtree
        /// The node is enrolled under another parent here (two parents claim it).
        case enrolledElsewhere
    }

    /// Which rule the row broke.
    public let kind: Kind
    /// The row and what is wrong with it, in words (the ERROR's reason).
    public let reason: String

    /// A refusal of `kind`, with `reason` in words.
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }
}

/// What a parent did with a child's batch.
public struct ApplyResult: Sendable, Equatable {
    /// The child's cursor after the batch: the highest of its revs committed here.
    public var cursor: UInt64
    /// Rows written here: within the child's authority and newer than the copy held.
    public var applied: Int
    /// A gap: the batch starts above the cursor, nothing was committed.
    public var gap: Bool
    /// One refusal per refused node row, and one per reason of refused rows of other kinds
    /// (with how many).
    public var refused: [RowRefusal]
    /// How many rows of the batch were refused.
    public var refusedRows: Int

    /// What a batch came to: the cursor after it, rows applied, whether it had a gap, and its refusals.
    public init(cursor: UInt64, applied: Int, gap: Bool, refused: [RowRefusal], refusedRows: Int) {
        self.cursor = cursor
        self.applied = applied
        self.gap = gap
        self.refused = refused
        self.refusedRows = refusedRows
    }
}

/// The node tree (id → parent, level) between batches: reading 30,000 node rows for every batch
/// of a province's relay cost more than the batch. Valid while the highest enrolment rev is the
/// one it was read at: every change of a parent or level (enrol, revoke, a relayed enrolment, in
/// this process or a CLI command in another) gives an enrolment a new, higher rev.
final class TreeCache: @unchecked Sendable {
    typealias Tree = [String: (parent: String?, level: Level)]
    private let lock = NSLock()
    private var tree: Tree = [:]
    private var stamp: Int64 = -1

    static func stamp(_ db: Database) throws -> Int64 {
        // One step down the partial index: `coalesce(max(…))` or a max without the index's WHERE
        // scans every node (22 % of a relaying county's time with 30,000 villages).
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce((SELECT max(enroll_rev) FROM node WHERE enroll_rev IS NOT NULL), 0)")) ?? 0
    }

    func tree(_ db: Database) throws -> Tree {
        let now = try Self.stamp(db)
        lock.lock()
        defer { lock.unlock() }
        if now == stamp { return tree }
        var fresh: Tree = [:]
        for r in try Row.fetchAll(db, sql: "SELECT id, parent, level FROM node") {
            fresh[r["id"]] = (r["parent"], Level(rawValue: r["level"]) ?? .village)
        }
        tree = fresh
        stamp = now
        return fresh
    }

    /// The tree as a committed transaction left it, with the stamp read inside that transaction.
    func keep(_ updated: Tree, stamp: Int64) {
        lock.lock()
        tree = updated
        self.stamp = stamp
        lock.unlock()
    }
}

extension NodeStore {
    // MARK: Upward: applying a child's batch

    /// The highest rev of `child` committed here.
    public func cursor(of child: String) throws -> UInt64 {
        try read { db in UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT cursor FROM peer_cursor WHERE child = ?"), arguments: [child]) ?? 0) }
    }

    /// The children enrolled directly below this node (not revoked), with when each was last
    /// heard from here (Unix seconds; 0: never).
    public func enrolledChildren() throws -> [(id: String, lastHeardAt: Int64)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, coalesce(last_heard_at, 0) FROM node WHERE parent = ? AND revoked = 0 ORDER BY id",
                             arguments: [identity.id]).map { ($0[0], $0[1]) }
        }
    }

    /// The bytes of the store's files (the database and its write-ahead log).
    public func fileBytes() -> Int64 {
        let path = Self.databaseURL(in: directory).path
        return [path, path + "-wal"].reduce(0) { sum, p in
            sum + ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int64) ?? 0)
        }
    }

    /// Every child's cursor here, in one read (the link records of a parent of thousands).
    public func cursors() throws -> [String: UInt64] {
        try read { db in
            var out: [String: UInt64] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT child, cursor FROM peer_cursor") { out[r[0]] = UInt64(r[1] as Int64) }
            return out
        }
    }

    /// Applies a batch from `child` in one transaction (docs/protocol.md, sections 5 and 6):
    /// node rows first, then summary rows, each only if the child may speak for it and its
    /// origin rev is above the one held; every applied row gets a rev of this node's, so that it
    /// is relayed upward in turn. The cursor moves in the same transaction.
    public func applyBatch(from child: String, _ batch: SyncBatch) throws -> ApplyResult {
        try applyBatches([(child, batch)])[0]
    }

    /// Applies several batches (from one child or many) in one transaction, each as
    /// `applyBatch` would: a parent with many children commits what arrived together once.
    /// All or nothing: if the transaction fails, none is applied and none may be acknowledged.
    public func applyBatches(_ batches: [(child: String, batch: SyncBatch)]) throws -> [ApplyResult] {
        guard !batches.isEmpty else { return [] }
        let (results, tree, stamp) = try write { db -> ([ApplyResult], TreeCache.Tree, Int64) in
            var tree = try treeCache.tree(db)
            var results: [ApplyResult] = []
            // Prepared once for the whole group, not once a batch.
            let upserts = try BatchUpserts(db)
            for (child, batch) in batches { results.append(try applyOne(db, from: child, batch, tree: &tree, upserts)) }
            return (results, tree, try TreeCache.stamp(db))
        }
        treeCache.keep(tree, stamp: stamp)
        return results
    }

    /// The statements a batch's rows are written with.
    private struct BatchUpserts {
        let summary: SummaryUpsert
        let unit: UnitUpsert
        let exception: ExceptionUpsert

        init(_ db: Database) throws {
            summary = try SummaryUpsert(db, .newer)
            unit = try UnitUpsert(db, .newer)
            exception = try ExceptionUpsert(db, .ifNewer)
        }
    }

    private func applyOne(_ db: Database, from child: String, _ batch: SyncBatch, tree: inout TreeCache.Tree, _ upserts: BatchUpserts) throws -> ApplyResult {
        let cursor = UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT cursor FROM peer_cursor WHERE child = ?"), arguments: [child]) ?? 0)
        if batch.fromRev > cursor { return ApplyResult(cursor: cursor, applied: 0, gap: true, refused: [], refusedRows: 0) }
        func within(_ id: String) -> Bool {
            var current = id
            for _ in 0..<8 {
                if current == child { return true }
                guard current != identity.id, let p = tree[current]?.parent else { return false }
                current = p
            }
            return false
        }
        var rev = try Counter.value(db, .rev)
        var refused: [RowRefusal] = []
        var applied = 0
        /// Writes one row or record with this node's next rev, which is kept only if it was written.
        func stamp(_ write: (Int64) throws -> Bool) throws {
            rev += 1
            if try write(Int64(rev)) { applied += 1 } else { rev -= 1 }
        }
        // Parents before children, so that a chain of enrolments in one batch is accepted.
        let enrolments = batch.nodes.compactMap { if case .enrolment(let e) = $0 { e } else { nil } }.sorted { $0.level < $1.level }
        let statuses = batch.nodes.compactMap { if case .status(let s) = $0 { s } else { nil } }
        for e in enrolments {
            guard e.subject != identity.id, e.subject != child else {
                refused.append(RowRefusal(.notItsSubtree, "enrolment of \(e.subject): a child cannot enrol itself or its parent")); continue
            }
            guard within(e.parent) else {
                refused.append(RowRefusal(.notItsSubtree, "enrolment of \(e.subject) under \(e.parent): \(e.parent) is not in the subtree of \(child)")); continue
            }
            if let known = tree[e.subject], let p = known.parent, p != e.parent {
                refused.append(RowRefusal(.enrolledElsewhere, "enrolment of \(e.subject) under \(e.parent): already enrolled under \(p)"))
                let now = clock.now.seconds
                try db.execute(sql: """
                    INSERT INTO conflict (subject, claimed_by, owner, via, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (subject, claimed_by) DO UPDATE SET owner = excluded.owner, via = excluded.via, last_seen = excluded.last_seen
                    """, arguments: [e.subject, e.parent, p, child, now, now])
                continue
            }
            guard let parentLevel = tree[e.parent]?.level, e.level > parentLevel else {
                refused.append(RowRefusal(.notItsSubtree, "enrolment of \(e.subject): level \(e.level.rawValue) is not below its parent's")); continue
            }
            try stamp { rev in
                guard try NodeRows.put(db, e, rev: Int(rev), onlyIfNewer: true) else { return false }
                tree[e.subject] = (e.parent, e.level)
                return true
            }
        }
        for s in statuses {
            guard s.subject != identity.id, tree[s.subject] != nil, within(s.subject) else {
                refused.append(RowRefusal(.notItsSubtree, "status of \(s.subject): not in the subtree of \(child)")); continue
            }
            try stamp { try NodeRows.put(db, s, rev: Int($0)) }
        }
        // Rows refused for the same reason are reported once (with how many), not once each.
        var refusedRows = refused.count
        var reasons: [String: (kind: RowRefusal.Kind, count: Int)] = [:]
        var reasonOrder: [String] = []
        func refuse(_ kind: RowRefusal.Kind, _ reason: String) {
            refusedRows += 1
            if reasons[reason] == nil { reasonOrder.append(reason) }
            reasons[reason, default: (kind, 0)].count += 1
        }
        for m in batch.malformed { refuse(.impossible, m) }
        func allowed(_ origin: String, _ what: String) -> Bool {
            guard origin != identity.id, tree[origin] != nil, within(origin) else {
                refuse(.notItsSubtree, "\(what) of \(origin): not \(child) or a node enrolled in its subtree")
                return false
            }
            return true
        }
        let upsert = upserts.summary
        for row in batch.summary where allowed(row.origin, "summary rows") {
            // A row no station could have written is refused. (Whether more cases were completed
            // than accepted can only be told over a node's whole history, and a stream's prefix may
            // legitimately show it: a row is resent whole when anything in it changes, so its rev
            // moves past rows written after it. The dashboard flags it instead.)
            if let why = row.counters.impossibility {
                refuse(.impossible, "summary row \(row.origin) \(row.key.day) \(row.key.item.isEmpty ? "(no item)" : row.key.item): \(why)")
                continue
            }
            try stamp { try upsert.run(origin: row.origin, key: row.key, counters: row.counters, originRev: Int64(row.originRev), rev: $0) }
        }
        // Window and staff rows: the same authority, the same checks.
        let unitUpsert = upserts.unit
        for row in batch.units where allowed(row.origin, "window and staff rows") {
            if let why = row.counters.impossibility {
                refuse(.impossible, "\(row.key.kind.label) row \(row.origin) \(row.key.day) \(row.key.unit): \(why)")
                continue
            }
            try stamp { try unitUpsert.run(origin: row.origin, key: row.key, counters: row.counters, originRev: Int64(row.originRev), rev: $0) }
        }
        // Exception records: the same authority, the same "highest origin rev wins".
        let exceptionUpsert = upserts.exception
        for x in batch.exceptions where allowed(x.record.origin, "exception records") {
            if let why = x.record.impossibility {
                refuse(.impossible, why)
                continue
            }
            try stamp { try exceptionUpsert.run(x.record, originRev: Int64(x.originRev), rev: $0) }
        }
        // Seals: the origin's rows of a month are all it sent from `floor` on; older ones go.
        for seal in batch.seals where allowed(seal.origin, "seals") {
            try stamp { try Self.applySeal(db, seal, rev: Int($0)) }
        }
        refused += reasonOrder.map { r in RowRefusal(reasons[r]!.kind, reasons[r]!.count > 1 ? "\(r) (\(reasons[r]!.count) rows)" : r) }
        try Counter.set(db, .rev, rev)
        let newCursor = max(cursor, batch.toRev)
        try db.cachedStatement(sql: "INSERT INTO peer_cursor (child, cursor) VALUES (?, ?) ON CONFLICT (child) DO UPDATE SET cursor = excluded.cursor")
            .execute(arguments: [child, Int64(newCursor)])
        try NodeRows.heard(db, child, at: clock.now)
        return ApplyResult(cursor: newCursor, applied: applied, gap: false, refused: refused, refusedRows: refusedRows)
    }

    /// Applies a seal unless one as new is held: drops the origin's rows and records of the month
    /// older than its floor, keeps the seal (with a rev of this node's, so that it is relayed).
    static func applySeal(_ db: Database, _ seal: MonthSeal, rev: Int) throws -> Bool {
        let heldRev = try Int64.fetchOne(db, sql: "SELECT origin_rev FROM month_seal WHERE origin = ? AND month = ?", arguments: [seal.origin, seal.month])
        if let heldRev, heldRev >= Int64(seal.originRev) { return false }
        let (first, last, floor) = (seal.month + "-01", seal.month + "-31", Int64(seal.floor))
        try db.execute(sql: "DELETE FROM summary WHERE origin = ? AND day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try db.execute(sql: "DELETE FROM summary_unit WHERE origin = ? AND day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try db.execute(sql: "DELETE FROM exception_case WHERE origin = ? AND accepted_day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try db.execute(sql: "DELETE FROM exception_review WHERE origin = ? AND day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try SealRows.put(db, seal, rev: rev)
        return true
    }
}
