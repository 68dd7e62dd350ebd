import GRDB
import SanjiCore

extension NodeStore {
    /// The dashboard over `period`, from summary rows and the catalogue. A node counts as
    /// reporting when it is this node or was heard from within `staleAfter` seconds.
    public func dashboard(period: Period, now: Timestamp = .now(), staleAfter: Int64 = 86_400) throws -> DashboardReport {
        try pool.read { db in
            let catalog = try CatalogStore.load(db)
            var nodes: [(id: String, level: Level, reporting: Bool)] = []
            for r in try Row.fetchAll(db, sql: "SELECT id, level, max(coalesce(status_as_of, 0), coalesce(last_heard_at, 0)) FROM node WHERE revoked = 0") {
                let id: String = r[0]
                let heard: Int64 = r[2]
                // "Reported zero" and "not heard from" differ: a node counts once it reported within the window.
                let reporting = id == identity.id || heard >= now.seconds - staleAfter
                nodes.append((id, Level(rawValue: r[1]) ?? identity.level, reporting))
            }
            var byOrigin: [String: SummaryCounters] = [:]
            let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
            let rows = try Row.fetchCursor(db, sql: "SELECT origin, \(sums) FROM summary WHERE day BETWEEN ? AND ? GROUP BY origin",
                                           arguments: [period.from.description, period.to.description])
            while let r = try rows.next() {
                byOrigin[r[0]] = SummaryCounters(values: (0..<SummaryCounters.columns.count).map { (r[$0 + 1] as Int?) ?? 0 })
            }
            return DashboardReport.make(node: identity, asOf: now, period: period, catalog: catalog, nodes: nodes, countersByOrigin: byOrigin)
        }
    }
}
