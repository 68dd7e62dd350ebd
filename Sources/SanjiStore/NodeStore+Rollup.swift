import GRDB
import SanjiCore

/// The monthly rollups: sums per (origin, month) (`summary_month`), per (month, item) over every
/// known node (`summary_month_item`), and per (kind, month, origin, unit) (`summary_month_unit`).
/// Each has its own watermark, so that a view refreshes only what it reads.
public enum Rollup: CaseIterable, Sendable {
    /// Per (origin, month): the totals and the breakdowns by township and node.
    case origins
    /// Per (month, item) over every known node: the breakdowns by item and department.
    case items
    /// Per (kind, month, origin, unit): the breakdowns by window and staff member.
    case units

    var counter: Counter {
        switch self {
        case .origins: .rollupRev
        case .items: .rollupItemRev
        case .units: .rollupUnitRev
        }
    }
}

/// Monthly rollups keep long periods fast. They are refreshed by `serve` and by any reader that
/// finds the store free; a reader never waits for them: months whose rows changed since the last
/// refresh are summed from the daily rows instead (`Staleness`).
extension NodeStore {
    /// Brings the monthly rollups up to date: every month touched by a row whose rev is above a
    /// rollup's watermark, or sealed since, is summed again from the daily rows (per origin for
    /// `summary_month`, whole months for the others). Cheap when little changed. With `wait: false`
    /// it gives up at once when another writer holds the store (a reader that tries it never
    /// waits); returns whether it ran.
    @discardableResult
    public func refreshRollups(wait: Bool = true, only rollups: Set<Rollup> = Set(Rollup.allCases),
                               progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Bool {
        let body = { (db: Database) throws -> Void in
            let top = try Counter.value(db, .rev)
            var work: [(Rollup, [(String, String)])] = []
            for rollup in Rollup.allCases where rollups.contains(rollup) {
                let watermark = try Counter.value(db, rollup.counter)
                guard top > watermark else { continue }
                work.append((rollup, try Self.staleMonths(db, above: watermark)))
            }
            // Progress counts (origin, month) pairs and months summed again.
            let total = work.reduce(0) { $0 + ($1.0 == .origins ? $1.1.count : Set($1.1.map(\.1)).count) }
            var done = 0
            let step = {
                done += 1
                progress?(done, total)
            }
            for (rollup, stale) in work {
                switch rollup {
                case .origins: try Self.refreshOriginMonths(db, stale, step: step)
                case .items: try Self.refreshItemMonths(db, Set(stale.map(\.1)), step: step)
                case .units: try Self.refreshUnitMonths(db, Set(stale.map(\.1)), step: step)
                }
                try Counter.set(db, rollup.counter, top)
            }
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

    /// Whether any monthly rollup is behind the rows (the next dashboard would bring it up to date first).
    public func rollupsBehind() throws -> Bool {
        try read { db in
            let top = try Counter.value(db, .rev)
            return try Rollup.allCases.contains { try Counter.value(db, $0.counter) < top }
        }
    }

    /// Sums the (origin, month) pairs of the daily rows again (`summary_month`).
    static func refreshOriginMonths(_ db: Database, _ stale: [(String, String)], step: () -> Void = {}) throws {
        let cols = SummaryCounters.columns
        let sums = cols.map { "sum(\($0))" }.joined(separator: ", ")
        let clear = try db.makeStatement(sql: "DELETE FROM summary_month WHERE origin = ? AND month = ?")
        let insert = try db.makeStatement(sql: """
            INSERT INTO summary_month (origin, month, \(cols.joined(separator: ", ")))
            SELECT origin, ?, \(sums) FROM summary WHERE origin = ? AND day BETWEEN ? AND ? GROUP BY origin
            """)
        for (origin, month) in stale {
            try clear.execute(arguments: [origin, month])
            try insert.execute(arguments: [month, origin, month + "-01", month + "-31"])
            step()
        }
    }

    /// Sums `months` of the daily rows of known nodes again, per item (`summary_month_item`).
    static func refreshItemMonths(_ db: Database, _ months: Set<String>, step: () -> Void = {}) throws {
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
            step()
        }
    }

    /// Sums `months` of the window and staff rows again, per (kind, origin, unit) (`summary_month_unit`).
    static func refreshUnitMonths(_ db: Database, _ months: Set<String>, step: () -> Void = {}) throws {
        guard !months.isEmpty else { return }
        let cols = SummaryCounters.columns
        let clear = try db.makeStatement(sql: "DELETE FROM summary_month_unit WHERE kind = ? AND month = ?")
        let insert = try db.makeStatement(sql: """
            INSERT INTO summary_month_unit (kind, month, origin, unit, \(cols.joined(separator: ", ")))
            SELECT kind, ?2, origin, unit, \(cols.map { "sum(\($0))" }.joined(separator: ", ")) FROM summary_unit
            WHERE kind = ?1 AND day BETWEEN ?3 AND ?4 GROUP BY origin, unit
            """)
        for month in months.sorted() {
            for kind in UnitKind.allCases {
                try clear.execute(arguments: [kind.rawValue, month])
                try insert.execute(arguments: [kind.rawValue, month, month + "-01", month + "-31"])
            }
            step()
        }
    }

    /// (origin, month) pairs whose rows changed (or were sealed) since rev `watermark`.
    static func staleMonths(_ db: Database, above watermark: Int) throws -> [(String, String)] {
        var out: [(String, String)] = []
        var seen: Set<String> = []
        for r in try Row.fetchAll(db, sql: """
            SELECT DISTINCT origin, substr(day, 1, 7) FROM summary WHERE rev > ?1
            UNION SELECT origin, substr(day, 1, 7) FROM summary_unit WHERE rev > ?1
            UNION SELECT origin, month FROM month_seal WHERE rev > ?1
            """, arguments: [watermark]) {
            let pair = (r[0] as String, r[1] as String)
            if seen.insert(pair.0 + "\u{1F}" + pair.1).inserted { out.append(pair) }
        }
        return out
    }

    /// What a rollup does not yet reflect, as a read transaction sees it: the stale (origin,
    /// month) pairs, whose sums come from the daily rows.
    struct Staleness {
        var pairs: Set<String> = []
        var byOrigin: [String: [String]] = [:]

        init(_ db: Database, _ rollup: Rollup) throws {
            let watermark = try Counter.value(db, rollup.counter)
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
    static func cumulativeByOrigin(_ db: Database, before day: Day, stale: Staleness, months: [MonthRow]) throws -> [String: SummaryCounters] {
        let sums = SummaryCounters.columns.map { "sum(\($0))" }.joined(separator: ", ")
        var out: [String: SummaryCounters] = [:]
        let (y, m, _) = day.components
        let monthStart = Day(year: y, month: m, day: 1)!
        let monthEnd = monthStart.adding(days: Day.daysIn(year: y, month: m) - 1)
        let thisMonth = String(monthStart.description.prefix(7))
        // Days of the month to read either way; reading back from the month's end needs its rollup.
        let fromEnd = monthEnd.number - day.number + 1 < day.number - monthStart.number
        for row in months where fromEnd ? row.month <= thisMonth : row.month < thisMonth {
            out[row.origin, default: SummaryCounters()] += row.counters
        }
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
        /// The rollup's rows, read once for every cut (a dashboard makes three).
        private var months: [MonthRow]?

        init(_ db: Database, stale: Staleness) {
            self.db = db
            self.stale = stale
        }

        /// Sums per origin over every day before `day`.
        mutating func before(_ day: Day) throws -> [String: SummaryCounters] {
            if let hit = cache[day] { return hit }
            if months == nil { months = try MonthRow.all(db) }
            let sums = try NodeStore.cumulativeByOrigin(db, before: day, stale: stale, months: months!)
            cache[day] = sums
            return sums
        }
    }

    /// One row of `summary_month`.
    struct MonthRow {
        let origin: String
        let month: String
        let counters: SummaryCounters

        static func all(_ db: Database) throws -> [MonthRow] {
            let s = try RawStatement(db, "SELECT origin, month, \(SummaryCounters.columns.joined(separator: ", ")) FROM summary_month")
            var out: [MonthRow] = []
            try s.each { r in
                out.append(MonthRow(origin: r.text(0) ?? "", month: r.text(1) ?? "", counters: SummaryCounters { Int(r.int(Int32(2 + $0)) ?? 0) }))
            }
            return out
        }
    }

    /// Sums per origin over `first…last` from the daily rows.
    static func dailyByOrigin(_ db: Database, _ first: Day, _ last: Day) throws -> [String: SummaryCounters] {
        var out: [String: SummaryCounters] = [:]
        try add(db, dailyByOriginSQL, [first.description, last.description], into: &out)
        return out
    }

    /// Adds (or, with `sign` -1, subtracts) the sums each row of `sql` gives its origin.
    private static func add(_ db: Database, _ sql: String, _ args: [String], into out: inout [String: SummaryCounters], sign: Int = 1) throws {
        try keyedSums(db, sql, args, sign: sign) { key, sums in out[key, default: SummaryCounters()] += sums }
    }

    /// Calls `body` with each row of `sql`: a key, then the counters in `SummaryCounters.columns`
    /// order (times `sign`). Read through the C API: decoding a row of 22 columns through GRDB's
    /// `Row` took most of a breakdown's time.
    static func keyedSums(_ db: Database, _ sql: String, _ args: [String], sign: Int = 1, _ body: (String, SummaryCounters) -> Void) throws {
        let s = try RawStatement(db, sql)
        for (i, a) in args.enumerated() { s.bind(Int32(i + 1), a) }
        try s.each { r in
            body(r.text(0) ?? "", SummaryCounters { sign * Int(r.int(Int32($0 + 1)) ?? 0) })
        }
    }
}
