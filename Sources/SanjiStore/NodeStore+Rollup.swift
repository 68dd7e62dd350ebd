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

    /// Sums per known origin over `period`: whole months from the rollups, the partial months at
    /// either end from the daily rows. Call `refreshRollups()` first.
    static func countersByOrigin(_ db: Database, period: Period) throws -> [String: SummaryCounters] {
        let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
        var out: [String: SummaryCounters] = [:]
        func add(_ sql: String, _ args: StatementArguments) throws {
            let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
            while let r = try rows.next() {
                out[r[0], default: SummaryCounters()] += SummaryCounters(values: (0..<SummaryCounters.columns.count).map { (r[$0 + 1] as Int?) ?? 0 })
            }
        }
        let (fy, fm, fd) = period.from.components
        let firstFull = fd == 1 ? period.from : Period.month(year: fm == 12 ? fy + 1 : fy, month: fm == 12 ? 1 : fm + 1)!.from
        let (ty, tm, _) = period.to.components
        let endOfToMonth = Period.month(year: ty, month: tm)!.to
        let lastFull = period.to == endOfToMonth ? period.to : Period.month(year: ty, month: tm)!.from.adding(days: -1)
        let daily = dailyByOriginSQL
        guard firstFull <= lastFull else {
            try add(daily, [period.from.description, period.to.description])
            return out
        }
        let month = { (d: Day) in String(d.description.prefix(7)) }
        try add("SELECT origin, \(sums) FROM summary_month WHERE month BETWEEN ? AND ? GROUP BY origin", [month(firstFull), month(lastFull)])
        if period.from < firstFull {
            try add(daily, [period.from.description, firstFull.adding(days: -1).description])
        }
        if lastFull < period.to {
            try add(daily, [lastFull.adding(days: 1).description, period.to.description])
        }
        return out
    }
}
