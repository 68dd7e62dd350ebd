import GRDB
import SanjiCore

extension NodeStore {
    /// Recomputes this node's own summary rows and exception records from its raw tables and
    /// stamps every one that differs with a new rev, so that it travels up again. A migration
    /// that changes what the rows hold asks for it (meta `rebuild_own_rows`); `open` runs it once,
    /// with the code of this version. Rows of other origins are left to their own origins.
    static func rebuildOwnRows(_ db: Database, identity: NodeIdentity, zone: ZoneRule, now: Timestamp) throws -> (rows: Int, exceptions: Int) {
        let catalog = try CatalogStore.load(db)
        let today = zone.day(of: now)
        var truth: [SummaryKey: SummaryCounters] = [:]
        var unitTruth: [UnitKey: SummaryCounters] = [:]
        func add<R: SummarySource>(_ r: R) {
            r.forEachContribution(zone: zone) { truth[$0, default: SummaryCounters()] += $1 }
            Contribution.forEachUnit(of: r, zone: zone) { unitTruth[$0, default: SummaryCounters()] += $1 }
        }
        let exceptions = ExceptionLedger(db)
        let cases = try RawStatement(db, "SELECT \(CaseBook.columns) FROM cases")
        try cases.each {
            let c = CaseBook.read($0)
            add(c)
            let department = catalog.items[c.itemCode]?.department ?? ""
            if let x = OverdueCase.of(c, origin: identity.id, department: department, zone: zone, today: today) { exceptions.put(.overdueCase(x)) }
        }
        let evals = try RawStatement(db, "SELECT \(EvaluationBook.columns) FROM evaluations")
        try evals.each {
            let e = EvaluationBook.read($0)
            add(e)
            if let x = BadReview.of(e, origin: identity.id, zone: zone) { exceptions.put(.badReview(x)) }
        }
        try ConsultBook.each(db) { add($0) }
        var held: [SummaryKey: SummaryCounters] = [:]
        let cols = SummaryCounters.columns
        let rows = try Row.fetchCursor(db, sql: "SELECT day, item, \(cols.joined(separator: ", ")) FROM summary WHERE origin = ?", arguments: [identity.id])
        while let r = try rows.next() {
            guard let day = Day(r[0] as String) else { continue }
            held[SummaryKey(day: day, item: r[1])] = SummaryCounters(values: (0..<cols.count).map { r[$0 + 2] })
        }
        var rev = try Counter.value(db, .rev)
        let upsert = try SummaryUpsert(db, .replace)
        var changed = 0
        for key in Set(truth.keys).union(held.keys).sorted() {
            let want = truth[key] ?? SummaryCounters()
            guard held[key] != want else { continue }
            rev += 1
            try upsert.run(origin: identity.id, key: key, counters: want, originRev: Int64(rev), rev: Int64(rev))
            changed += 1
        }
        let heldUnits = try UnitRows.held(db, origin: identity.id)
        let unitUpsert = try UnitUpsert(db, .replace)
        for key in Set(unitTruth.keys).union(heldUnits.keys).sorted() {
            let want = unitTruth[key] ?? SummaryCounters()
            guard heldUnits[key] != want else { continue }
            rev += 1
            try unitUpsert.run(origin: identity.id, key: key, counters: want, originRev: Int64(rev), rev: Int64(rev))
            changed += 1
        }
        try Counter.set(db, .rev, rev)
        return (changed, try exceptions.flush())
    }
}
