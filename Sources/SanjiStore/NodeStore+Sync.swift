import Foundation
import GRDB
import SanjiCore

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
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(enroll_rev), 0) FROM node")) ?? 0
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
        try pool.read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT cursor FROM peer_cursor WHERE child = ?", arguments: [child]) ?? 0) }
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
        let (results, tree, stamp) = try pool.write { db -> ([ApplyResult], TreeCache.Tree, Int64) in
            var tree = try treeCache.tree(db)
            var results: [ApplyResult] = []
            for (child, batch) in batches { results.append(try applyOne(db, from: child, batch, tree: &tree)) }
            return (results, tree, try TreeCache.stamp(db))
        }
        treeCache.keep(tree, stamp: stamp)
        return results
    }

    private func applyOne(_ db: Database, from child: String, _ batch: SyncBatch, tree: inout TreeCache.Tree) throws -> ApplyResult {
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
        var refused: [(UInt16, String)] = []
        var applied = 0
        // Parents before children, so that a chain of enrolments in one batch is accepted.
        let enrolments = batch.nodes.compactMap { if case .enrolment(let e) = $0 { e } else { nil } }.sorted { $0.level < $1.level }
        let statuses = batch.nodes.compactMap { if case .status(let s) = $0 { s } else { nil } }
        for e in enrolments {
            guard e.subject != identity.id, e.subject != child else {
                refused.append((403, "enrolment of \(e.subject): a child cannot enrol itself or its parent")); continue
            }
            guard within(e.parent) else {
                refused.append((403, "enrolment of \(e.subject) under \(e.parent): \(e.parent) is not in the subtree of \(child)")); continue
            }
            if let known = tree[e.subject], let p = known.parent, p != e.parent {
                refused.append((409, "enrolment of \(e.subject) under \(e.parent): already enrolled under \(p)"))
                let now = Timestamp.now().seconds
                try db.execute(sql: """
                    INSERT INTO conflict (subject, claimed_by, owner, via, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (subject, claimed_by) DO UPDATE SET owner = excluded.owner, via = excluded.via, last_seen = excluded.last_seen
                    """, arguments: [e.subject, e.parent, p, child, now, now])
                continue
            }
            guard let parentLevel = tree[e.parent]?.level, e.level > parentLevel else {
                refused.append((403, "enrolment of \(e.subject): level \(e.level.rawValue) is not below its parent's")); continue
            }
            rev += 1
            try db.cachedStatement(sql: """
                INSERT INTO node (id, name, level, parent, enrolled_at, revoked, enroll_origin_rev, enroll_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent,
                  enrolled_at = excluded.enrolled_at, revoked = excluded.revoked, enroll_origin_rev = excluded.enroll_origin_rev,
                  enroll_rev = excluded.enroll_rev
                WHERE excluded.enroll_origin_rev > node.enroll_origin_rev
                """).execute(arguments: [e.subject, e.name, e.level.rawValue, e.parent, e.enrolledAt, e.revoked, Int64(e.originRev), rev])
            if db.changesCount > 0 {
                applied += 1
                tree[e.subject] = (e.parent, e.level)
            } else { rev -= 1 }
        }
        for s in statuses {
            guard s.subject != identity.id, tree[s.subject] != nil, within(s.subject) else {
                refused.append((403, "status of \(s.subject): not in the subtree of \(child)")); continue
            }
            rev += 1
            try db.cachedStatement(sql: """
                UPDATE node SET name = ?, software = ?, catalog_seq = ?, open_cases = ?, overdue_cases = ?, backlog = ?, clock_skew = ?,
                  last_activity = ?, status_as_of = ?, status_origin_rev = ?, status_rev = ?
                WHERE id = ? AND status_origin_rev < ?
                """).execute(arguments: [s.name, s.software, Int64(s.catalogSeq), s.openCases, s.overdueCases, s.backlog, s.clockSkew, s.lastActivity, s.asOf,
                                 Int64(s.originRev), rev, s.subject, Int64(s.originRev)])
            if db.changesCount > 0 { applied += 1 } else { rev -= 1 }
        }
        let cols = SummaryCounters.columns
        let upsert = try RawStatement(db, """
            INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev)
            VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)
            ON CONFLICT (origin, day, item) DO UPDATE SET
            \(cols.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")), origin_rev = excluded.origin_rev, rev = excluded.rev
            WHERE excluded.origin_rev > summary.origin_rev
            """)
        var refusedOrigins: Set<String> = []
        var refusedSummaryRows = 0
        for row in batch.summary {
            guard row.origin != identity.id, tree[row.origin] != nil, within(row.origin) else {
                refusedSummaryRows += 1
                if refusedOrigins.insert(row.origin).inserted {
                    refused.append((403, "summary rows of \(row.origin): not \(child) or a node enrolled in its subtree"))
                }
                continue
            }
            rev += 1
            upsert.bind(1, row.origin)
            upsert.bind(2, row.key.day.description)
            upsert.bind(3, row.key.item)
            var i: Int32 = 4
            row.counters.forEachValue { v in
                upsert.bind(i, v)
                i += 1
            }
            upsert.bind(i, Int64(row.originRev))
            upsert.bind(i + 1, rev)
            if try upsert.run() > 0 { applied += 1 } else { rev -= 1 }
        }
        // Exception records: the same authority, the same "highest origin rev wins".
        for x in batch.exceptions {
            let origin = x.record.origin
            guard origin != identity.id, tree[origin] != nil, within(origin) else {
                refusedSummaryRows += 1
                if refusedOrigins.insert(origin).inserted {
                    refused.append((403, "exception records of \(origin): not \(child) or a node enrolled in its subtree"))
                }
                continue
            }
            rev += 1
            if try ExceptionBook.write(db, x.record, originRev: Int64(x.originRev), rev: Int64(rev), onlyIfNewer: true) { applied += 1 } else { rev -= 1 }
        }
        try Counter.set(db, .rev, rev)
        let newCursor = max(cursor, batch.toRev)
        try db.cachedStatement(sql: "INSERT INTO peer_cursor (child, cursor) VALUES (?, ?) ON CONFLICT (child) DO UPDATE SET cursor = excluded.cursor")
            .execute(arguments: [child, Int64(newCursor)])
        try db.cachedStatement(sql: "UPDATE node SET last_heard_at = ? WHERE id = ?").execute(arguments: [Timestamp.now().seconds, child])
        return ApplyResult(cursor: newCursor, applied: applied, gap: false, refused: refused,
                           refusedRows: refused.count - refusedOrigins.count + refusedSummaryRows)
    }

    // MARK: Downward: the catalogue

    public func catalogSequence() throws -> UInt64 { try pool.read { UInt64(try Counter.value($0, .catalogSeq)) } }

    /// Every catalogue row above `seq`; nil when this node holds nothing newer.
    public func catalogDelta(after seq: UInt64) throws -> CatalogDelta? {
        try pool.read { db in
            let current = UInt64(try Counter.value(db, .catalogSeq))
            guard current > seq else { return nil }
            let catalog = try CatalogStore.load(db)
            var items: [(item: CatalogItem, seq: UInt64)] = []
            for r in try Row.fetchAll(db, sql: "SELECT code, seq FROM catalog_item WHERE seq > ? ORDER BY code", arguments: [seq]) {
                if let item = catalog.items[r["code"]] { items.append((item, r["seq"])) }
            }
            let days = try Row.fetchAll(db, sql: "SELECT day, kind, seq FROM calendar_day WHERE seq > ? ORDER BY day", arguments: [seq]).compactMap { r -> CatalogDelta.DayRow? in
                guard let d = Day(r["day"] as String), let k = WorkCalendar.Kind(rawValue: r["kind"]) else { return nil }
                return CatalogDelta.DayRow(day: d, kind: k, seq: r["seq"])
            }
            let settings = try Row.fetchAll(db, sql: "SELECT key, value, seq FROM setting WHERE seq > ? ORDER BY key", arguments: [seq]).map {
                CatalogDelta.SettingRow(key: $0["key"], value: $0["value"], seq: $0["seq"])
            }
            return CatalogDelta(catalogSeq: current, items: items, days: days, settings: settings)
        }
    }

    /// Applies a catalogue delta from the parent atomically, keeping the root's sequences.
    /// Returns false (and changes nothing) when it is not newer than what this node holds.
    @discardableResult
    public func applyCatalog(_ delta: CatalogDelta, now: Timestamp = .now()) throws -> Bool {
        try pool.write { db in
            guard delta.catalogSeq > UInt64(try Counter.value(db, .catalogSeq)) else { return false }
            for (item, seq) in delta.items { try CatalogStore.upsert(db, item, seq: Int(seq)) }
            for d in delta.days {
                try db.execute(sql: "INSERT INTO calendar_day (day, kind, seq) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, seq = excluded.seq",
                               arguments: [d.day.description, d.kind.rawValue, Int64(d.seq)])
            }
            for s in delta.settings {
                try db.execute(sql: "INSERT INTO setting (key, value, seq) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
                               arguments: [s.key, s.value, Int64(s.seq)])
            }
            try Counter.set(db, .catalogSeq, Int(delta.catalogSeq))
            try db.execute(sql: "INSERT OR REPLACE INTO catalog_version (seq, made_at, note) VALUES (?, ?, ?)",
                           arguments: [Int64(delta.catalogSeq), now.seconds, "from parent: \(delta.items.count) items, \(delta.days.count) days, \(delta.settings.count) settings"])
            return true
        }
    }
}
