import GRDB
import SanjiCore

/// Monthly rollups (`summary_month`) keep long periods fast. They are refreshed by `serve` and by
/// any reader that finds the store free; a reader never waits for them: months whose rows changed
/// since the last refresh are summed from the daily rows instead (`Staleness`).
extension NodeStore {
    /// Brings the monthly rollups up to date: every (origin, month) touched by a row whose rev is
    /// above the watermark, or sealed since, is summed again from the daily rows. Cheap when
    /// little changed. With `wait: false` it gives up at once when another writer holds the store
    /// (a reader that tries it never waits); returns whether it ran.
    @discardableResult
    public func refreshRollups(wait: Bool = true) throws -> Bool {
        let body = { (db: Database) throws -> Void in
            let watermark = try Counter.value(db, .rollupRev)
            let top = try Counter.value(db, .rev)
            guard top > watermark else { return }
            let cols = SummaryCounters.columns
            let sums = cols.map { "sum(\($0))" }.joined(separator: ", ")
            let clear = try db.makeStatement(sql: "DELETE FROM summary_month WHERE origin = ? AND month = ?")
            let insert = try db.makeStatement(sql: """
                INSERT INTO summary_month (origin, month, \(cols.joined(separator: ", ")))
                SELECT origin, ?, \(sums) FROM summary WHERE origin = ? AND day BETWEEN ? AND ? GROUP BY origin
                """)
            let stale = try Self.staleMonths(db, above: watermark)
            for (origin, month) in stale {
                try clear.execute(arguments: [origin, month])
                try insert.execute(arguments: [month, origin, month + "-01", month + "-31"])
            }
            // Per item over every known node: a month some row changed in is summed again whole
            // (its cost is one month's rows, whatever the store's size).
            try Self.refreshItemMonths(db, Set(stale.map(\.1)))
            try Counter.set(db, .rollupRev, top)
        }
        if wait {
            try write(body)
            return true
        }
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(busyTimeout * 1000))") }
                try db.inTransaction(.immediate) {
                    try body(db)
                    return .commit
                }
            }
            return true
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            return false
        } catch let e as DatabaseError {
            throw StoreFailure.explain(e, directory: directory)
        }
    }

    /// Sums `months` of the daily rows of known nodes again, per item (`summary_month_item`).
    static func refreshItemMonths(_ db: Database, _ months: Set<String>) throws {
        guard !months.isEmpty else { return }
        let cols = SummaryCounters.columns
        let clear = try db.makeStatement(sql: "DELETE FROM summary_month_item WHERE month = ?")
        let insert = try db.makeStatement(sql: """
            INSERT INTO summary_month_item (month, item, \(cols.joined(separator: ", ")))
            SELECT ?1, s.item, \(cols.map { "sum(s.\($0))" }.joined(separator: ", ")) FROM node n CROSS JOIN summary s ON s.origin = n.id
            WHERE s.day BETWEEN ?2 AND ?3 GROUP BY s.item
            """)
        for month in months.sorted() {
            try clear.execute(arguments: [month])
            try insert.execute(arguments: [month, month + "-01", month + "-31"])
        }
    }

    /// (origin, month) pairs whose rows changed (or were sealed) since rev `watermark`.
    static func staleMonths(_ db: Database, above watermark: Int) throws -> [(String, String)] {
        var out: [(String, String)] = []
        var seen: Set<String> = []
        for r in try Row.fetchAll(db, sql: """
            SELECT DISTINCT origin, substr(day, 1, 7) FROM summary WHERE rev > ?1
            UNION SELECT origin, month FROM month_seal WHERE rev > ?1
            """, arguments: [watermark]) {
            let pair = (r[0] as String, r[1] as String)
            if seen.insert(pair.0 + "\u{1F}" + pair.1).inserted { out.append(pair) }
        }
        return out
    }

    /// What the rollups do not yet reflect, as a read transaction sees it: the stale (origin,
    /// month) pairs, whose sums come from the daily rows.
    struct Staleness {
        var pairs: Set<String> = []
        var byOrigin: [String: [String]] = [:]

        init(_ db: Database) throws {
            let watermark = try Counter.value(db, .rollupRev)
            guard try Counter.value(db, .rev) > watermark else { return }
            for (origin, month) in try staleMonths(db, above: watermark) {
                pairs.insert(origin + "\u{1F}" + month)
                byOrigin[origin, default: []].append(month)
            }
        }

        var isEmpty: Bool { pairs.isEmpty }
    }

    /// Sums per origin over every day before `day`: whole months from the rollups (or, for months
    /// the rollups do not reflect yet, from the daily rows), and the part of `day`'s month from its
    /// daily rows, read from whichever end of the month is nearer: the days before `day` added,
    /// or the days from `day` to the month's end taken from that month's rollup (the daily rows
    /// are what a dashboard spends its time on, so the shorter side is read).
    static func cumulativeByOrigin(_ db: Database, before day: Day, stale: Staleness) throws -> [String: SummaryCounters] {
        let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
        var out: [String: SummaryCounters] = [:]
        let (y, m, _) = day.components
        let monthStart = Day(year: y, month: m, day: 1)!
        let monthEnd = monthStart.adding(days: Day.daysIn(year: y, month: m) - 1)
        let thisMonth = String(monthStart.description.prefix(7))
        // Days of the month to read either way; reading back from the month's end needs its rollup.
        let fromEnd = monthEnd.number - day.number + 1 < day.number - monthStart.number
        try add(db, "SELECT origin, \(sums) FROM summary_month WHERE month \(fromEnd ? "<=" : "<") ? GROUP BY origin", [thisMonth], into: &out)
        if fromEnd {
            try add(db, dailyByOriginSQL, [day.description, monthEnd.description], into: &out, sign: -1)
        } else if monthStart < day {
            try add(db, dailyByOriginSQL, [monthStart.description, day.adding(days: -1).description], into: &out)
        }
        // Months the rollups are behind on: their rollup out, their daily rows in.
        let cols = SummaryCounters.columns.joined(separator: ", ")
        for (origin, months) in stale.byOrigin {
            for month in months where fromEnd ? month <= thisMonth : month < thisMonth {
                let n = SummaryCounters.columns.count
                if let r = try Row.fetchOne(db, sql: "SELECT \(cols) FROM summary_month WHERE origin = ? AND month = ?", arguments: [origin, month]) {
                    out[origin, default: SummaryCounters()] = out[origin, default: SummaryCounters()] - SummaryCounters(values: (0..<n).map { r[$0] })
                }
                var fresh: [String: SummaryCounters] = [:]
                try add(db, "SELECT origin, \(sums) FROM summary WHERE origin = ? AND day BETWEEN ? AND ? GROUP BY origin",
                        [origin, month + "-01", month + "-31"], into: &fresh)
                if let f = fresh[origin] { out[origin, default: SummaryCounters()] += f }
            }
        }
        return out
    }

    /// Cumulative sums per origin for one read transaction, each day's computed once (a
    /// dashboard asks for the day after its period's end twice: for the figures and for the
    /// attention list's check of each node's history).
    struct CumulativeSums {
        let db: Database
        let stale: Staleness
        private var cache: [Day: [String: SummaryCounters]] = [:]

        init(_ db: Database, stale: Staleness) {
            self.db = db
            self.stale = stale
        }

        /// Sums per origin over every day before `day`.
        mutating func before(_ day: Day) throws -> [String: SummaryCounters] {
            if let hit = cache[day] { return hit }
            let sums = try NodeStore.cumulativeByOrigin(db, before: day, stale: stale)
            cache[day] = sums
            return sums
        }
    }

    /// Sums per origin over `first…last` from the daily rows.
    static func dailyByOrigin(_ db: Database, _ first: Day, _ last: Day) throws -> [String: SummaryCounters] {
        var out: [String: SummaryCounters] = [:]
        try add(db, dailyByOriginSQL, [first.description, last.description], into: &out)
        return out
    }

    /// Adds (or, with `sign` -1, subtracts) the sums each row of `sql` gives its origin.
    private static func add(_ db: Database, _ sql: String, _ args: StatementArguments, into out: inout [String: SummaryCounters], sign: Int = 1) throws {
        let n = SummaryCounters.columns.count
        let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
        while let r = try rows.next() {
            let sums = SummaryCounters(values: (0..<n).map { sign * ((r[$0 + 1] as Int?) ?? 0) })
            out[r[0], default: SummaryCounters()] += sums
        }
    }
}
