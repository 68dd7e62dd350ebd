import GRDB
import SanjiCore

extension NodeStore {
    /// The dashboard over `period`, as at its end (or now, while it runs), from summary rows,
    /// exception records, node records and the catalogue. A node counts as reporting when it is
    /// this node or reported (or was heard from) within `staleAfter` seconds.
    /// Throws for a period that has not begun.
    public func dashboard(
        period: Period, now: Timestamp? = nil, staleAfter: Int64 = 86_400, breakdown: (kind: BreakdownKind, limit: Int)? = nil
    ) throws -> DashboardReport {
        try dashboards(period: period, now: now, staleAfter: staleAfter, breakdowns: [breakdown])[0]
    }

    /// The dashboard over `period` once per breakdown asked for (nil: none), from one read: what
    /// they share (the nodes, the figures per origin, the attention list) is computed once. The
    /// 通报 asks for five breakdowns of its month.
    public func dashboards(
        period: Period, now: Timestamp? = nil, staleAfter: Int64 = 86_400, breakdowns: [(kind: BreakdownKind, limit: Int)?]
    ) throws -> [DashboardReport] {
        let now = now ?? clock.now
        let today = zone.day(of: now)
        let asAt = try Self.asAt(period, today: today)
        // Refresh the rollups the views read if nobody is writing; a reader never waits for a
        // writer (a long import): what the rollups do not reflect yet is summed from the daily rows.
        var needs: Set<Rollup> = [.origins]
        for b in breakdowns {
            switch b?.kind {
            case .department, .item: needs.insert(.items)
            case .window, .staff: needs.insert(.units)
            default: break
            }
        }
        _ = try? refreshRollups(wait: false, only: needs)
        return try read { db in
            let catalog = try CatalogStore.load(db)
            var nodes = try Self.nodeInfos(db, selfId: identity.id, now: now, staleAfter: staleAfter)
            // This node's own open cases, live (its status row is refreshed only while serve runs).
            if let i = nodes.firstIndex(where: { $0.id == identity.id }) {
                (nodes[i].openCases, nodes[i].overdueCases) = try Self.openCases(db, today: today)
                nodes[i].catalogSeq = catalog.sequence
            }
            let reviews = try Self.periodReviews(db, asAt: asAt)
            var sums = CumulativeSums(db, stale: try Staleness(db, .origins))
            let byOrigin = try Self.tallyByOrigin(asAt: asAt, reviews: reviews, catalog: catalog, sums: &sums)
            let unrectified = try ExceptionBook.unrectified(db)
            let conflicts = try Row.fetchAll(db, sql: "SELECT subject, claimed_by, owner, last_seen FROM conflict ORDER BY subject, claimed_by").map {
                SubtreeConflict(subject: $0[0], claimedBy: $0[1], owner: $0[2], lastSeen: $0[3])
            }
            // Over each node's whole history (to today), no more cases completed or due than accepted.
            // (Only for nodes that have sent everything: while rows travel, a resent row can arrive before an older one.)
            let names = Dictionary(nodes.filter { $0.backlog == 0 }.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let impossible = try sums.before(today.adding(days: 1))
                .filter { names[$0.key] != nil && ($0.value.completed > $0.value.accepted || $0.value.due > $0.value.accepted) }
                .map { ImpossibleCounts(node: $0.key, name: names[$0.key]!, accepted: $0.value.accepted, completed: $0.value.completed, due: $0.value.due) }
                .sorted { $0.node < $1.node }
            var itemStale: Staleness?, unitStale: Staleness?
            return try breakdowns.map { breakdown in
                var byItem: [String: Tally] = [:]
                switch breakdown?.kind {
                case .department, .item:
                    if itemStale == nil { itemStale = try Staleness(db, .items) }
                    byItem = try Self.tallyByItem(db, asAt: asAt, reviews: reviews, catalog: catalog, stale: itemStale!)
                case .window, .staff:
                    if unitStale == nil { unitStale = try Staleness(db, .units) }
                    byItem = try Self.tallyByUnit(db, breakdown!.kind == .window ? .window : .staff, asAt: asAt, reviews: reviews, catalog: catalog,
                                                  stale: unitStale!)
                default: break
                }
                var report = DashboardReport.make(node: identity, asOf: now, asAt: asAt, catalog: catalog, nodes: nodes, tallyByOrigin: byOrigin,
                                                  tallyByItem: byItem, breakdown: breakdown, unrectified: unrectified,
                                                  today: today, staleAfter: staleAfter)
                report.attention.conflicts = conflicts
                report.attention.impossible = impossible
                report.attention.failedImports = try Self.failedImports(db)
                return report
            }
        }
    }

    /// The exceptions behind `period`'s figures, as at its end: overdue cases and 差评 of this
    /// node's subtree (`sanji exceptions`, and the 通报's lists).
    public func exceptions(period: Period, now: Timestamp? = nil, kinds: Set<ExceptionList.Kind> = Set(ExceptionList.Kind.allCases)) throws -> ExceptionList {
        let now = now ?? clock.now
        let asAt = try Self.asAt(period, today: zone.day(of: now))
        return try read { db in
            let catalog = try CatalogStore.load(db)
            var records = try ExceptionBook.records(db, from: period.from, lastDay: asAt.lastDay)
            // This station's own open cases are known here without waiting for serve's sweep.
            var own = Set(records.compactMap { if case .overdueCase(let c) = $0, c.origin == identity.id { c.caseNo } else { nil } })
            for r in try Row.fetchAll(db, sql: "SELECT case_no, item_code, accepted_at, deadline, window FROM cases WHERE completed_at IS NULL AND deadline < ?",
                                      arguments: [asAt.deadlineCut.description]) where own.insert(r[0]).inserted {
                let item: String = r[1]
                records.append(.overdueCase(OverdueCase(origin: identity.id, caseNo: r[0], item: item, department: catalog.items[item]?.department ?? "",
                                                        acceptedDay: zone.day(of: Timestamp(seconds: r[2])), deadline: Day(r[3] as String) ?? Day(number: 0),
                                                        completedDay: nil, window: r[4])))
            }
            return ExceptionList(records: records, asAt: asAt, catalog: catalog, kinds: kinds)
        }
    }

    /// The exception records this store holds: of `origin`, or of every origin.
    public func exceptionRecords(origin: String? = nil) throws -> [ExceptionRecord] {
        try read { db in try ExceptionBook.all(db, origin: origin) }
    }

    /// The attention list's query of unrectified 差评, for tests that hold it to its index.
    public static var unrectifiedSQL: String { ExceptionBook.unrectifiedSQL }

    /// Names of the nodes this one knows, for lists.
    public func nodeNames() throws -> [String: String] {
        try read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT id, name FROM node").map { ($0[0] as String, $0[1] as String) }, uniquingKeysWith: { a, _ in a })
        }
    }

    static func asAt(_ period: Period, today: Day) throws -> AsAt {
        guard let a = AsAt(period, today: today) else {
            throw SanjiError(.invalidArgument, "the period \(period.from) to \(period.to) has not begun (today is \(today)); its figures do not exist yet")
        }
        return a
    }

    // MARK: Tallies

    /// 差评 of known nodes evaluated in the period.
    static func periodReviews(_ db: Database, asAt: AsAt) throws -> [BadReview] {
        try Row.fetchAll(db, sql: """
            SELECT \(ExceptionBook.qualified(ExceptionBook.reviewColumns, "x"))
            FROM node n JOIN exception_review x ON x.origin = n.id WHERE x.day BETWEEN ? AND ?
            """, arguments: [asAt.period.from.description, asAt.lastDay.description]).map { ExceptionBook.readReview($0) }
    }

    /// Per origin, from the monthly rollups (where they are up to date) and the daily rows.
    static func tallyByOrigin(asAt: AsAt, reviews: [BadReview], catalog: Catalog, sums: inout CumulativeSums) throws -> [String: Tally] {
        let before = try sums.before(asAt.period.from)
        let through = try sums.before(asAt.lastDay.adding(days: 1))
        // While the period runs the cut is today: the deadlines of today's row have not passed.
        let lastDayRows = asAt.ended ? [:] : try dailyByOrigin(sums.db, asAt.lastDay, asAt.lastDay)
        var out: [String: Tally] = [:]
        for origin in Set(before.keys).union(through.keys) {
            let b = before[origin] ?? SummaryCounters(), t = through[origin] ?? SummaryCounters()
            out[origin] = Tally(beforeFrom: b, throughEnd: t, beforeCut: t - (lastDayRows[origin] ?? SummaryCounters()))
        }
        for r in reviews {
            out[r.origin, default: Tally()].reviews.add(r, at: asAt, catalog: catalog)
        }
        return out
    }

    /// Per item, from the monthly item rollups (`summary_month_item`), the daily rows of the partial
    /// months at the period's ends, and the daily rows of months the rollups do not reflect yet.
    /// Equal to `tallyByItemFromDailyRows`, which reads every daily row up to the period's end.
    static func tallyByItem(_ db: Database, asAt: AsAt, reviews: [BadReview], catalog: Catalog, stale: Staleness) throws -> [String: Tally] {
        var out = try tallies(db, .items, asAt: asAt, stale: stale)
        for r in reviews {
            out[r.item, default: Tally()].reviews.add(r, at: asAt, catalog: catalog)
        }
        return out
    }

    /// Where a breakdown's sums come from: a monthly rollup and the daily rows it sums, each read
    /// per key (an item; an origin's window or staff member, keyed `origin/unit`).
    struct RollupSource {
        /// SELECT's key and the rest of the query (FROM …, WHERE … and), over the rollup and over the daily rows.
        let rollupKey: String, rollupFrom: String, rollupGroup: String
        let dailyKey: String, dailyFrom: String, dailyGroup: String

        static let items = RollupSource(
            rollupKey: "item", rollupFrom: "summary_month_item WHERE", rollupGroup: "item",
            dailyKey: "s.item", dailyFrom: "node n CROSS JOIN summary s ON s.origin = n.id WHERE", dailyGroup: "s.item")

        /// Units of known nodes; the kind is an enum's raw value, written into the SQL.
        static func units(_ kind: UnitKind) -> RollupSource {
            RollupSource(
                rollupKey: "origin || '/' || unit", rollupFrom: "summary_month_unit WHERE kind = '\(kind.rawValue)' AND origin IN (SELECT id FROM node) AND",
                rollupGroup: "origin, unit",
                dailyKey: "s.origin || '/' || s.unit",
                dailyFrom: "summary_unit s WHERE s.kind = '\(kind.rawValue)' AND s.origin IN (SELECT id FROM node) AND",
                dailyGroup: "s.origin, s.unit")
        }
    }

    /// Tallies per key of `source`: whole months from its rollup, the partial months at the
    /// period's cuts from the daily rows, and the months the rollups do not reflect yet from the
    /// daily rows instead of the rollup. Keys with nothing are left out.
    static func tallies(_ db: Database, _ source: RollupSource, asAt: AsAt, stale: Staleness) throws -> [String: Tally] {
        let cols = SummaryCounters.columns
        // A Tally needs three cumulative sums: before the period, through its last day, and (of
        // due and due_met) before the deadline cut. Sum k counts the rollups of the months before
        // `cutMonth[k]` and the daily rows from that month's first day to the day before `cut[k]`.
        let cut = [asAt.period.from, asAt.lastDay.adding(days: 1), asAt.deadlineCut]
        let cutMonth = cut.map { String($0.description.prefix(7)) }
        var sums: [String: [SummaryCounters]] = [:]
        func add(_ key: String, _ k: Int, _ c: SummaryCounters) {
            sums[key, default: [SummaryCounters(), SummaryCounters(), SummaryCounters()]][k] += c
        }
        let plain = cols.map { "sum(\($0))" }.joined(separator: ", ")
        /// The daily rows over a range of days, per key.
        let daily = """
            SELECT \(source.dailyKey), \(cols.map { "sum(s.\($0))" }.joined(separator: ", ")) FROM \(source.dailyFrom)
            s.day BETWEEN ? AND ? GROUP BY \(source.dailyGroup)
            """
        /// Sums per key of `sql`'s rows (key, then the counters), with `sign`.
        func read(_ sql: String, _ arguments: [String], sign: Int = 1) throws -> [(String, SummaryCounters)] {
            var out: [(String, SummaryCounters)] = []
            try keyedSums(db, sql, arguments, sign: sign) { out.append(($0, $1)) }
            return out
        }
        // The partial month of each cut is read from its nearer end: the days before the cut
        // added, or (when fewer) the days from the cut to the month's end taken from that month's
        // whole rollup. The daily rows are what this spends its time on.
        let monthEnd = cut.map { c -> Day in
            let (y, m, _) = c.components
            return Day(year: y, month: m, day: Day.daysIn(year: y, month: m))!
        }
        let fromEnd = (0..<3).map { k in monthEnd[k].number - cut[k].number + 1 < cut[k].number - Day(cutMonth[k] + "-01")!.number }
        func counts(_ month: String, _ k: Int) -> Bool { fromEnd[k] ? month <= cutMonth[k] : month < cutMonth[k] }
        // Whole months, from the rollup: each row read once and added to the sums whose cut it
        // precedes (a conditional sum per cut and counter in SQL cost 63 CASE expressions a row).
        let rollupRows = try RawStatement(db, """
            SELECT \(source.rollupKey), month, \(cols.joined(separator: ", ")) FROM \(source.rollupFrom) month <= ?
            """)
        rollupRows.bind(1, cutMonth.max()!)
        try rollupRows.each { r in
            let month = r.text(1) ?? ""
            let counted = (counts(month, 0), counts(month, 1), counts(month, 2))
            guard counted.0 || counted.1 || counted.2 else { return }
            let c = SummaryCounters { Int(r.int(Int32(2 + $0)) ?? 0) }
            let key = r.text(0) ?? ""
            if counted.0 { add(key, 0, c) }
            if counted.1 { add(key, 1, c) }
            if counted.2 { add(key, 2, c) }
        }
        // The partial months, from the daily rows (a range read once when two cuts share it).
        var partials: [String: [(String, SummaryCounters)]] = [:]
        for k in 0..<3 {
            let (first, last, sign) = fromEnd[k] ? (cut[k], monthEnd[k], -1) : (Day(cutMonth[k] + "-01")!, cut[k].adding(days: -1), 1)
            guard first <= last else { continue }
            let range = "\(first)…\(last)\(sign)"
            if partials[range] == nil {
                partials[range] = try read(daily, [first.description, last.description], sign: sign)
            }
            for (key, c) in partials[range]! { add(key, k, c) }
        }
        // Months some row changed in since the rollup was refreshed: their rollup out, their daily rows in.
        for month in Set(stale.byOrigin.values.joined()) where (0..<3).contains(where: { counts(month, $0) }) {
            let out = try read("SELECT \(source.rollupKey), \(plain) FROM \(source.rollupFrom) month = ? GROUP BY \(source.rollupGroup)", [month], sign: -1)
            let fresh = try read(daily, [month + "-01", month + "-31"])
            for (key, c) in out + fresh {
                for k in 0..<3 where counts(month, k) { add(key, k, c) }
            }
        }
        var out: [String: Tally] = [:]
        for (key, s) in sums {
            let t = Tally(beforeFrom: s[0], throughEnd: s[1], beforeCut: s[2])
            if !t.isEmpty { out[key] = t }
        }
        return out
    }

    /// Per item, in one pass over every daily row of known nodes up to the period's end: what
    /// `tallyByItem` must equal (tests hold it to this).
    static func tallyByItemFromDailyRows(_ db: Database, asAt: AsAt, reviews: [BadReview], catalog: Catalog) throws -> [String: Tally] {
        var out = try tallies(db, key: "s.item", table: "summary", filter: "", group: "s.item", asAt: asAt, arguments: []).filter { !$0.value.isEmpty }
        for r in reviews {
            out[r.item, default: Tally()].reviews.add(r, at: asAt, catalog: catalog)
        }
        return out
    }

    /// Per window or staff member of known nodes, keyed `origin/unit`, from the monthly unit
    /// rollups and the daily unit rows (as `tallyByItem`; `fromRollups: false` sums every daily row
    /// up to the period's end instead, what the rollup path must equal). Windows take their 差评's
    /// follow-up from the exception records; staff members have none (a 差评 record names no 工号):
    /// theirs is counted from the grades as given (`ReviewTally.fromGrades`).
    static func tallyByUnit(_ db: Database, _ kind: UnitKind, asAt: AsAt, reviews: [BadReview], catalog: Catalog, stale: Staleness,
                            fromRollups: Bool = true) throws -> [String: Tally] {
        var out = fromRollups ? try tallies(db, .units(kind), asAt: asAt, stale: stale)
            : try tallies(db, key: "s.origin || '/' || s.unit", table: "summary_unit", filter: "s.kind = ?4 AND", group: "s.origin, s.unit",
                          asAt: asAt, arguments: [kind.rawValue]).filter { !$0.value.isEmpty }
        if kind == .staff {
            for k in out.keys { out[k]!.reviews = .fromGrades(out[k]!.counters) }
        } else {
            for r in reviews where !r.window.isEmpty {
                out[r.origin + "/" + r.window, default: Tally()].reviews.add(r, at: asAt, catalog: catalog)
            }
        }
        return out
    }

    /// Tallies grouped by `key`, from one pass over `table`'s rows of known nodes up to the period's
    /// end: sums before the period, within it, and of `due`/`due_met` before the deadline cut.
    /// `filter` may use `?4` and on, bound from `arguments`.
    static func tallies(_ db: Database, key: String, table: String, filter: String, group: String, asAt: AsAt, arguments: [any DatabaseValueConvertible])
        throws -> [String: Tally]
    {
        let cols = SummaryCounters.columns
        let n = cols.count
        let before = cols.map { "sum(CASE WHEN s.day < ?1 THEN s.\($0) ELSE 0 END)" }
        let within = cols.map { "sum(CASE WHEN s.day >= ?1 THEN s.\($0) ELSE 0 END)" }
        let cut = ["due", "due_met"].map { "sum(CASE WHEN s.day < ?3 THEN s.\($0) ELSE 0 END)" }
        let sql = """
            SELECT \(key), \((before + within + cut).joined(separator: ", "))
            FROM node n CROSS JOIN \(table) s ON s.origin = n.id WHERE \(filter) s.day <= ?2 GROUP BY \(group)
            """
        var out: [String: Tally] = [:]
        let args: [any DatabaseValueConvertible] = [asAt.period.from.description, asAt.lastDay.description, asAt.deadlineCut.description] + arguments
        let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args))
        while let r = try rows.next() {
            let b = SummaryCounters(values: (0..<n).map { (r[$0 + 1] as Int?) ?? 0 })
            let p = SummaryCounters(values: (0..<n).map { (r[$0 + 1 + n] as Int?) ?? 0 })
            var k = SummaryCounters()
            k.due = r[1 + 2 * n] ?? 0
            k.dueMet = r[2 + 2 * n] ?? 0
            out[r[0]] = Tally(beforeFrom: b, throughEnd: b + p, beforeCut: k)
        }
        return out
    }

    /// The dashboard's query over daily rows, for tests that hold it to its index.
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

    static func nodeInfos(_ db: Database, selfId: String, now: Timestamp, staleAfter: Int64) throws -> [NodeInfo] {
        try Row.fetchAll(db, sql: """
            SELECT id, name, level, parent, max(coalesce(status_as_of, 0), coalesce(last_heard_at, 0)) AS seen,
                   catalog_seq, coalesce(open_cases, 0), coalesce(overdue_cases, 0), coalesce(backlog, 0), revoked, coalesce(clock_skew, 0), copy_conflict
            FROM node
            """).map { r in
            let id: String = r[0]
            let seen: Int64 = r[4]
            // "Reported zero" and "not heard from" differ: a node counts once it reported within the window.
            var info = NodeInfo(id: id, name: r[1], level: Level(rawValue: r[2]) ?? .village, parent: r[3], lastSeen: seen > 0 ? seen : nil,
                                catalogSeq: r[5], openCases: r[6], overdueCases: r[7], backlog: r[8], reporting: id == selfId || seen >= now.seconds - staleAfter)
            info.revoked = r[9]
            info.clockSkew = r[10]
            info.copyConflict = r[11]
            return info
        }
    }
}
