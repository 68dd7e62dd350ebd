import GRDB
import SanjiCore

extension NodeStore {
    /// The summary rows of one origin as stored.
    public func summaryRows(origin: String? = nil) throws -> [SummaryKey: SummaryCounters] {
        try read { db in
            var out: [SummaryKey: SummaryCounters] = [:]
            let cols = SummaryCounters.columns.joined(separator: ", ")
            let rows = try Row.fetchCursor(db, sql: "SELECT day, item, \(cols) FROM summary WHERE origin = ?", arguments: [origin ?? identity.id])
            while let r = try rows.next() {
                guard let day = Day(r[0] as String) else { continue }
                out[SummaryKey(day: day, item: r[1])] = SummaryCounters(values: (0..<SummaryCounters.columns.count).map { r[$0 + 2] })
            }
            return out
        }
    }

    /// The summary rows recomputed from the raw case and evaluation tables (zero rows dropped).
    public func recomputedSummary() throws -> [SummaryKey: SummaryCounters] {
        try read { db in
            var out: [SummaryKey: SummaryCounters] = [:]
            let cases = try RawStatement(db, "SELECT \(CaseBook.columns) FROM cases")
            try cases.each { for (k, v) in Contribution.of(CaseBook.read($0), zone: zone) { out[k, default: SummaryCounters()] += v } }
            let evals = try RawStatement(db, "SELECT \(EvaluationBook.columns) FROM evaluations")
            try evals.each { for (k, v) in Contribution.of(EvaluationBook.read($0), zone: zone) { out[k, default: SummaryCounters()] += v } }
            try ConsultBook.each(db) { c in c.forEachContribution(zone: zone) { out[$0, default: SummaryCounters()] += $1 } }
            return out.filter { !$0.value.isZero }
        }
    }

    /// Window and staff rows of `origin` (this node by default), as stored.
    public func unitRows(origin: String? = nil) throws -> [UnitKey: SummaryCounters] {
        try read { db in try UnitRows.held(db, origin: origin ?? identity.id).filter { !$0.value.isZero } }
    }

    /// This node's window and staff rows recomputed from the raw tables.
    public func recomputedUnits() throws -> [UnitKey: SummaryCounters] {
        try read { db in
            var out: [UnitKey: SummaryCounters] = [:]
            func add<R: SummarySource>(_ r: R) { Contribution.forEachUnit(of: r, zone: zone) { out[$0, default: SummaryCounters()] += $1 } }
            try RawStatement(db, "SELECT \(CaseBook.columns) FROM cases").each { add(CaseBook.read($0)) }
            try RawStatement(db, "SELECT \(EvaluationBook.columns) FROM evaluations").each { add(EvaluationBook.read($0)) }
            try ConsultBook.each(db) { add($0) }
            return out.filter { !$0.value.isZero }
        }
    }

    /// Highest rev stamped so far.
    public func currentRev() throws -> Int { try read { try Counter.value($0, .rev) } }

    /// Revs of this origin's summary rows, for checking that every write is stamped anew.
    public func summaryRevs() throws -> [SummaryKey: Int] {
        try read { db in
            var out: [SummaryKey: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT day, item, rev FROM summary WHERE origin = ?", arguments: [identity.id]) {
                if let d = Day(r[0] as String) { out[SummaryKey(day: d, item: r[1])] = r[2] }
            }
            return out
        }
    }

    /// Open and overdue-open cases at this station (overdue: deadline before `today`), inside a
    /// transaction the caller holds: what its status reports and its dashboard shows.
    static func openCases(_ db: Database, today: Day) throws -> (open: Int, overdue: Int) {
        let open = try Int.fetchOne(db, sql: "SELECT count(*) FROM cases WHERE completed_at IS NULL") ?? 0
        let overdue = try Int.fetchOne(db, sql: "SELECT count(*) FROM cases WHERE completed_at IS NULL AND deadline < ?", arguments: [today.description]) ?? 0
        return (open, overdue)
    }
}

extension NodeStore {
    /// How many summary rows of `origin` this node holds, and the highest origin rev among them.
    public func summaryExtent(origin: String) throws -> (rows: Int, maxOriginRev: Int) {
        try read { db in
            let r = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(max(origin_rev), 0) FROM summary WHERE origin = ?", arguments: [origin])!
            return (r[0], r[1])
        }
    }

    /// The key of `origin`'s row with the highest origin rev here (a full scan of its rows).
    public func latestSummaryKey(origin: String) throws -> (day: String, item: String, originRev: Int)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT day, item, origin_rev FROM summary WHERE origin = ? ORDER BY origin_rev DESC LIMIT 1", arguments: [origin])
                .map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The origin rev of one summary row here, found by its key (0 when it is not held).
    public func originRev(origin: String, day: String, item: String) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT origin_rev FROM summary WHERE origin = ? AND day = ? AND item = ?", arguments: [origin, day, item]) ?? 0
        }
    }

    /// What this node holds in all: summary rows, and known nodes by level.
    public func inventory() throws -> (summaryRows: Int, nodes: [Level: Int]) {
        try read { db in
            let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM summary") ?? 0
            var nodes: [Level: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT level, count(*) FROM node GROUP BY level") {
                if let level = Level(rawValue: r[0]) { nodes[level] = r[1] }
            }
            return (rows, nodes)
        }
    }
}
