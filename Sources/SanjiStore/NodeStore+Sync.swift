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
                INSERT INTO node (id, name, level, parent, enrolled_at, revoked, enroll_origin_rev, enroll_rev, copy_conflict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent,
                  enrolled_at = excluded.enrolled_at, revoked = excluded.revoked, enroll_origin_rev = excluded.enroll_origin_rev,
                  enroll_rev = excluded.enroll_rev, copy_conflict = excluded.copy_conflict
                WHERE excluded.enroll_origin_rev > node.enroll_origin_rev
                """).execute(arguments: [e.subject, e.name, e.level.rawValue, e.parent, e.enrolledAt, e.revoked, Int64(e.originRev), rev, e.copyConflict])
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
        // Rows refused for the same reason are reported once (with how many), not once each.
        var refusedRows = refused.count
        var reasons: [String: (code: UInt16, count: Int)] = [:]
        var reasonOrder: [String] = []
        func refuse(_ code: UInt16, _ reason: String) {
            refusedRows += 1
            if reasons[reason] == nil { reasonOrder.append(reason) }
            reasons[reason, default: (code, 0)].count += 1
        }
        for m in batch.malformed { refuse(400, m) }
        func allowed(_ origin: String, _ what: String) -> Bool {
            guard origin != identity.id, tree[origin] != nil, within(origin) else {
                refuse(403, "\(what) of \(origin): not \(child) or a node enrolled in its subtree")
                return false
            }
            return true
        }
        let cols = SummaryCounters.columns
        let upsert = try RawStatement(db, """
            INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev)
            VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)
            ON CONFLICT (origin, day, item) DO UPDATE SET
            \(cols.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")), origin_rev = excluded.origin_rev, rev = excluded.rev
            WHERE excluded.origin_rev > summary.origin_rev
            """)
        for row in batch.summary where allowed(row.origin, "summary rows") {
            // A row no station could have written is refused. (Whether more cases were completed
            // than accepted can only be told over a node's whole history, and a stream's prefix may
            // legitimately show it: a row is resent whole when anything in it changes, so its rev
            // moves past rows written after it. The dashboard flags it instead.)
            if let why = row.counters.impossibility {
                refuse(400, "summary row \(row.origin) \(row.key.day) \(row.key.item.isEmpty ? "(no item)" : row.key.item): \(why)")
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
        for x in batch.exceptions where allowed(x.record.origin, "exception records") {
            if let why = x.record.impossibility {
                refuse(400, why)
                continue
            }
            rev += 1
            if try ExceptionBook.write(db, x.record, originRev: Int64(x.originRev), rev: Int64(rev), onlyIfNewer: true) { applied += 1 } else { rev -= 1 }
        }
        // Seals: the origin's rows of a month are all it sent from `floor` on; older ones go.
        for seal in batch.seals where allowed(seal.origin, "seals") {
            rev += 1
            if try Self.applySeal(db, seal, rev: rev) { applied += 1 } else { rev -= 1 }
        }
        refused += reasonOrder.map { r in (reasons[r]!.code, reasons[r]!.count > 1 ? "\(r) (\(reasons[r]!.count) rows)" : r) }
        try Counter.set(db, .rev, rev)
        let newCursor = max(cursor, batch.toRev)
        try db.cachedStatement(sql: "INSERT INTO peer_cursor (child, cursor) VALUES (?, ?) ON CONFLICT (child) DO UPDATE SET cursor = excluded.cursor")
            .execute(arguments: [child, Int64(newCursor)])
        try db.cachedStatement(sql: "UPDATE node SET last_heard_at = ? WHERE id = ?").execute(arguments: [Timestamp.now().seconds, child])
        return ApplyResult(cursor: newCursor, applied: applied, gap: false, refused: refused, refusedRows: refusedRows)
    }

    /// Applies a seal unless one as new is held: drops the origin's rows and records of the month
    /// older than its floor, keeps the seal (with a rev of this node's, so that it is relayed).
    static func applySeal(_ db: Database, _ seal: MonthSeal, rev: Int) throws -> Bool {
        let heldRev = try Int64.fetchOne(db, sql: "SELECT origin_rev FROM month_seal WHERE origin = ? AND month = ?", arguments: [seal.origin, seal.month])
        if let heldRev, heldRev >= Int64(seal.originRev) { return false }
        let (first, last, floor) = (seal.month + "-01", seal.month + "-31", Int64(seal.floor))
        try db.execute(sql: "DELETE FROM summary WHERE origin = ? AND day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try db.execute(sql: "DELETE FROM exception_case WHERE origin = ? AND accepted_day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try db.execute(sql: "DELETE FROM exception_review WHERE origin = ? AND day BETWEEN ? AND ? AND origin_rev < ?", arguments: [seal.origin, first, last, floor])
        try db.execute(sql: """
            INSERT INTO month_seal (origin, month, floor, origin_rev, rev) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (origin, month) DO UPDATE SET floor = excluded.floor, origin_rev = excluded.origin_rev, rev = excluded.rev
            """, arguments: [seal.origin, seal.month, floor, Int64(seal.originRev), rev])
        return true
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
