import GRDB
import SanjiCore

extension NodeStore {
    /// The dashboard over `period`, from summary rows, node records and the catalogue. A node counts
    /// as reporting when it is this node or reported (or was heard from) within `staleAfter` seconds.
    public func dashboard(
        period: Period, now: Timestamp = .now(), staleAfter: Int64 = 86_400, breakdown: (kind: BreakdownKind, limit: Int)? = nil
    ) throws -> DashboardReport {
        try refreshRollups()
        return try pool.read { db in
            let catalog = try CatalogStore.load(db)
            var nodes = try Self.nodeInfos(db, selfId: identity.id, now: now, staleAfter: staleAfter)
            // This node's own open cases, live (its status row is refreshed only while serve runs).
            if let i = nodes.firstIndex(where: { $0.id == identity.id }) {
                (nodes[i].openCases, nodes[i].overdueCases) = try Self.openCases(db, today: zone.day(of: now))
                nodes[i].catalogSeq = catalog.sequence
            }
            let byOrigin = try Self.countersByOrigin(db, period: period)
            let known = Set(nodes.map(\.id))
            let byItem = breakdown.map { $0.kind == .department || $0.kind == .item } == true
                ? try Self.groupedByItem(db, period: period, known: known) : [:]
            var bad: [(origin: String, day: Day, unrectified: Int)] = []
            for r in try Row.fetchAll(db, sql: Self.unrectifiedSQL) where known.contains(r[0]) {
                if let d = Day(r[1] as String) { bad.append((r[0], d, r[2])) }
            }
            var report = DashboardReport.make(node: identity, asOf: now, period: period, catalog: catalog, nodes: nodes, countersByOrigin: byOrigin,
                                              countersByItem: byItem, breakdown: breakdown, badByOriginDay: bad, today: zone.day(of: now), staleAfter: staleAfter)
            report.attention.conflicts = try Row.fetchAll(db, sql: "SELECT subject, claimed_by, owner, last_seen FROM conflict ORDER BY subject, claimed_by").map {
                SubtreeConflict(subject: $0[0], claimedBy: $0[1], owner: $0[2], lastSeen: $0[3])
            }
            return report
        }
    }

    /// 差评 still waiting for 整改, per node and day (all time: what is overdue today). The WHERE is
    /// written exactly as the partial index summary_unrectified's, or SQLite scans the whole table.
    public static let unrectifiedSQL = """
        SELECT origin, day, sum(grade_dissatisfied + grade_very_dissatisfied - bad_rectified) FROM summary
        WHERE bad_rectified < grade_dissatisfied + grade_very_dissatisfied
        GROUP BY origin, day
        """

    /// The dashboard's queries over daily rows, for tests that hold them to their indexes.
    public static let dailyByOriginSQL = dailySums(groupByItem: false)

    static func dailySums(groupByItem: Bool) -> String {
        let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
        // Node by node along the primary key (origin, day, item): one contiguous range per node,
        // instead of a random lookup per row through the day index (3× faster).
        return """
            SELECT s.origin, \(groupByItem ? "s.item, " : "")\(sums) FROM node n CROSS JOIN summary s ON s.origin = n.id
            WHERE s.day BETWEEN ? AND ? GROUP BY s.origin\(groupByItem ? ", s.item" : "")
            """
    }

    static func groupedByItem(_ db: Database, period: Period, known: Set<String>) throws -> [String: SummaryCounters] {
        var out: [String: SummaryCounters] = [:]
        let rows = try Row.fetchCursor(db, sql: dailySums(groupByItem: true), arguments: [period.from.description, period.to.description])
        while let r = try rows.next() {
            guard known.contains(r[0]) else { continue }
            out[r[1], default: SummaryCounters()] += SummaryCounters(values: (0..<SummaryCounters.columns.count).map { (r[$0 + 2] as Int?) ?? 0 })
        }
        return out
    }

    static func nodeInfos(_ db: Database, selfId: String, now: Timestamp, staleAfter: Int64) throws -> [NodeInfo] {
        try Row.fetchAll(db, sql: """
            SELECT id, name, level, parent, max(coalesce(status_as_of, 0), coalesce(last_heard_at, 0)) AS seen,
                   catalog_seq, coalesce(open_cases, 0), coalesce(overdue_cases, 0), coalesce(backlog, 0), revoked, coalesce(clock_skew, 0)
            FROM node
            """).map { r in
            let id: String = r[0]
            let seen: Int64 = r[4]
            // "Reported zero" and "not heard from" differ: a node counts once it reported within the window.
            var info = NodeInfo(id: id, name: r[1], level: Level(rawValue: r[2]) ?? .village, parent: r[3], lastSeen: seen > 0 ? seen : nil,
                                catalogSeq: r[5], openCases: r[6], overdueCases: r[7], backlog: r[8], reporting: id == selfId || seen >= now.seconds - staleAfter)
            info.revoked = r[9]
            info.clockSkew = r[10]
            return info
        }
    }
}
