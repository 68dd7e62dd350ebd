import GRDB
import SanjiCore

extension NodeStore {
    // MARK: Upward: reading

    /// Every row with a rev in `(after, to]`, at most about `limit` of each kind; nil when nothing is above `after`.
    public func readBatch(after: UInt64, limit: Int = 1000) throws -> SyncBatch? {
        try read { db in
            let top = UInt64(try Counter.value(db, .rev))
            guard top > after else { return nil }
            let cols = SummaryCounters.columns.joined(separator: ", ")
            var summary: [(UInt64, SummaryRowState)] = []
            let s = try RawStatement(cached: db, "SELECT origin, day, item, origin_rev, rev, \(cols) FROM summary WHERE rev > ? ORDER BY rev LIMIT ?")
            s.bind(1, Int64(after))
            s.bind(2, limit)
            summary.reserveCapacity(limit)
            // A batch's rows mostly share a few origins (a node's own, a village's when it synced):
            // the last origin's string is reused rather than made anew for every row.
            var origin = ""
            try s.each { r in
                if !r.textEquals(0, origin) { origin = r.text(0) ?? "" }
                summary.append((UInt64(r.int(4) ?? 0), SummaryRowState(
                    origin: origin, key: SummaryKey(day: r.day(1) ?? Day(number: 0), item: r.text(2) ?? ""),
                    originRev: UInt64(r.int(3) ?? 0), counters: SummaryCounters { Int(r.int(5 + Int32($0)) ?? 0) })))
            }
            var enrolments: [(UInt64, NodeRowState)] = []
            for r in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(NodeRows.enrolmentColumns) FROM node WHERE enroll_rev > ? AND parent IS NOT NULL ORDER BY enroll_rev LIMIT ?
                """), arguments: [after, limit]) {
                enrolments.append((r["enroll_rev"], .enrolment(NodeRows.enrolment(r))))
            }
            var statuses: [(UInt64, NodeRowState)] = []
            for r in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, name, level, software, catalog_seq, open_cases, overdue_cases, backlog, clock_skew, last_activity, status_as_of, status_origin_rev, status_rev
                FROM node WHERE status_rev > ? ORDER BY status_rev LIMIT ?
                """), arguments: [after, limit]) {
                statuses.append((r["status_rev"], .status(NodeStatus(
                    subject: r["id"], originRev: r["status_origin_rev"], name: r["name"], level: Level(rawValue: r["level"]) ?? .village,
                    software: r["software"] ?? "", catalogSeq: r["catalog_seq"] ?? 0, openCases: r["open_cases"] ?? 0,
                    overdueCases: r["overdue_cases"] ?? 0, backlog: r["backlog"] ?? 0, clockSkew: r["clock_skew"] ?? 0, lastActivity: r["last_activity"] ?? 0, asOf: r["status_as_of"] ?? 0))))
            }
            let units = try UnitRows.above(db, after: after, limit: limit)
            let exceptions = try ExceptionBook.above(db, after: after, limit: limit)
            let seals = try Row.fetchAll(db.cachedStatement(sql: "SELECT origin, month, floor, origin_rev, rev FROM month_seal WHERE rev > ? ORDER BY rev LIMIT ?"),
                                         arguments: [Int64(after), limit]).map { r in
                (UInt64(r[4] as Int64), MonthSeal(origin: r[0], month: r[1], floor: UInt64(r[2] as Int64), originRev: UInt64(r[3] as Int64)))
            }
            // At most `limit` rows in all, in rev order: the limit-th smallest rev bounds the batch
            // (every row at or below it is within its own table's first `limit`).
            var all: [(rev: UInt64, summary: SummaryRowState?, node: NodeRowState?, exception: ExceptionRowState?, seal: MonthSeal?, unit: UnitRowState?)] =
                summary.map { ($0.0, $0.1, nil, nil, nil, nil) } + (enrolments + statuses).map { ($0.0, nil, $0.1, nil, nil, nil) }
                + exceptions.map { ($0.rev, nil, nil, $0.row, nil, nil) } + seals.map { ($0.0, nil, nil, nil, $0.1, nil) }
                + units.map { ($0.rev, nil, nil, nil, nil, $0.row) }
            all.sort { $0.rev < $1.rev }
            var to = top
            if all.count >= limit {
                all = Array(all.prefix(limit))
                to = all.last!.rev
            }
            var nodes = all.compactMap(\.node)
            // The enrolment of every node the batch speaks of, and of its ancestors, goes with it
            // unless the parent already acknowledged it (its rev is at or below `after`): a parent that
            // learns of a node late (or after a re-enrolment gave the enrolment a newer rev) must never
            // refuse that node's rows as unknown. Idempotent at the receiver.
            var have = Set(nodes.compactMap { if case .enrolment(let e) = $0 { e.subject } else { nil } })
            var wanted = Set(all.compactMap { $0.summary?.origin ?? $0.exception?.record.origin ?? $0.seal?.origin ?? $0.unit?.origin } + nodes.map(\.subject))
            var asked: Set<String> = []
            let context = try db.cachedStatement(sql: "SELECT \(NodeRows.enrolmentColumns) FROM node WHERE id = ? AND parent IS NOT NULL")
            while let id = wanted.popFirst() {
                guard asked.insert(id).inserted, let r = try Row.fetchOne(context, arguments: [id]) else { continue }
                wanted.insert(r["parent"])
                guard (r["enroll_rev"] as Int64?).map({ $0 > Int64(after) }) ?? false else { continue }
                if !have.contains(id) {
                    nodes.append(.enrolment(NodeRows.enrolment(r)))
                    have.insert(id)
                }
            }
            return SyncBatch(fromRev: after, toRev: to, summary: all.compactMap(\.summary), nodes: nodes, exceptions: all.compactMap(\.exception),
                             seals: all.compactMap(\.seal), units: all.compactMap(\.unit))
        }
    }

    /// Summary rows, exception records and enrolment parts above `cursor` (status parts left out,
    /// so that a status report never counts itself): the backlog a node reports in its status.
    public func dataBacklog(above cursor: UInt64) throws -> Int {
        try read { db in try Self.count(db, above: cursor, statuses: false) }
    }

    /// Rows with a rev above `cursor`: what the parent has not acknowledged yet.
    public func backlog(above cursor: UInt64) throws -> Int {
        try read { db in try Self.count(db, above: cursor, statuses: true) }
    }

    private static func count(_ db: Database, above cursor: UInt64, statuses: Bool) throws -> Int {
        var sql = [
            "SELECT count(*) FROM summary WHERE rev > ?1", "SELECT count(*) FROM exception_case WHERE rev > ?1",
            "SELECT count(*) FROM exception_review WHERE rev > ?1", "SELECT count(*) FROM month_seal WHERE rev > ?1",
            "SELECT count(*) FROM node WHERE enroll_rev > ?1 AND parent IS NOT NULL",
            "SELECT count(*) FROM summary_unit WHERE rev > ?1 AND \(UnitRows.travels)",
        ]
        if statuses { sql.append("SELECT count(*) FROM node WHERE status_rev > ?1") }
        return try sql.reduce(0) { $0 + (try Int.fetchOne(db.cachedStatement(sql: $1), arguments: [Int64(cursor)]) ?? 0) }
    }
}
