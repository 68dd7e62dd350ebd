import GRDB
import SanjiCore

extension NodeStore {
    /// Brings the monthly rollups up to date: every (origin, month) touched by a row whose rev is
    /// above the watermark is summed again from the daily rows. Cheap when little changed.
    public func refreshRollups() throws {
        try pool.write { db in
            let watermark = try Counter.value(db, .rollupRev)
            let top = try Counter.value(db, .rev)
            guard top > watermark else { return }
            let cols = SummaryCounters.columns
            let sums = cols.map { "sum(\($0))" }.joined(separator: ", ")
            let touched = try Row.fetchAll(db, sql: "SELECT DISTINCT origin, substr(day, 1, 7) FROM summary WHERE rev > ?", arguments: [watermark])
            let replace = try db.makeStatement(sql: """
                INSERT OR REPLACE INTO summary_month (origin, month, \(cols.joined(separator: ", ")))
                SELECT origin, ?, \(sums) FROM summary WHERE origin = ? AND day BETWEEN ? AND ? GROUP BY origin
                """)
            for r in touched {
                let origin: String = r[0], month: String = r[1]
                try replace.execute(arguments: [month, origin, month + "-01", month + "-31"])
            }
            try Counter.set(db, .rollupRev, top)
        }
    }

    /// Sums per origin over every day before `day`: whole months from the rollups, the days of
    /// `day`'s month before it from the daily rows. Call `refreshRollups()` first.
    static func cumulativeByOrigin(_ db: Database, before day: Day) throws -> [String: SummaryCounters] {
        let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
        var out: [String: SummaryCounters] = [:]
        let (y, m, _) = day.components
        let monthStart = Day(year: y, month: m, day: 1)!
        try add(db, "SELECT origin, \(sums) FROM summary_month WHERE month < ? GROUP BY origin", [String(monthStart.description.prefix(7))], into: &out)
        if monthStart < day {
            try add(db, dailyByOriginSQL, [monthStart.description, day.adding(days: -1).description], into: &out)
        }
        return out
    }

    /// Sums per origin over `first…last` from the daily rows.
    static func dailyByOrigin(_ db: Database, _ first: Day, _ last: Day) throws -> [String: SummaryCounters] {
        var out: [String: SummaryCounters] = [:]
        try add(db, dailyByOriginSQL, [first.description, last.description], into: &out)
        return out
    }

    private static func add(_ db: Database, _ sql: String, _ args: StatementArguments, into out: inout [String: SummaryCounters]) throws {
        let n = SummaryCounters.columns.count
        let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
        while let r = try rows.next() {
            out[r[0], default: SummaryCounters()] += SummaryCounters(values: (0..<n).map { (r[$0 + 1] as Int?) ?? 0 })
        }
    }
}
