import SanjiFixtures
import XCTest
import SanjiCore
import SanjiReport
@_spi(Testing) @testable import SanjiStore

/// The store side of sync, without sockets: batches read at one node applied at another.
final class SyncStoreTests: XCTestCase {
    func node(_ id: String, _ level: Level, parent: String?) throws -> (NodeStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-sync-\(UUID().uuidString)")
        return (try NodeStore.create(in: dir, identity: NodeIdentity(id: id, name: id, level: level, parent: parent)), dir)
    }

    /// Streams everything above the parent's cursor, `limit` rows a batch, as the runtime does.
    func sync(_ child: NodeStore, to parent: NodeStore, limit: Int) throws {
        var cursor = try parent.cursor(of: child.identity.id)
        while let batch = try child.readBatch(after: cursor, limit: limit) {
            XCTAssertLessThanOrEqual(batch.summary.count + batch.nodes.filter { if case .status = $0 { true } else { false } }.count, limit)
            let result = try parent.applyBatch(from: child.identity.id, batch)
            XCTAssertFalse(result.gap)
            XCTAssertEqual(result.refusedRows, 0, "\(result.refused)")
            cursor = result.cursor
        }
    }

    func testAParentThatLearnsOfAReEnrolledVillageLate_losesNoneOfItsRows() throws {
        let (county, d1) = try node("C", .county, parent: nil)
        let (township, d2) = try node("T", .township, parent: "tcp://c")
        let (village, d3) = try node("V", .village, parent: "tcp://t")
        defer { for d in [d1, d2, d3] { try? FileManager.default.removeItem(at: d) } }
        _ = try county.enroll(id: "T", publicKey: "k-T-0000000000000000000000000000000000000", name: nil, level: nil)
        _ = try township.enroll(id: "V", publicKey: "k-V-0000000000000000000000000000000000000", name: nil, level: nil)
        // The village's rows (many revs) reach the township.
        let items = "code,name,type,department,levels,legal_days,promised_days,online_depth,max_visits,status\nSB,社保,20,人社,county|township|village,,0,4,0,active\n"
        let (root, d4) = try node("R", .county, parent: nil)
        defer { try? FileManager.default.removeItem(at: d4) }
        _ = try root.importCatalog(name: "items.csv", bytes: Array(items.utf8))
        _ = try village.applyCatalog(try root.catalogDelta(after: 0)!)
        var csv = "case_no,item_code,accepted_at,channel\n"
        for i in 0..<300 { csv += "V\(i),SB,\(Day("2026-01-01")!.adding(days: i)) 09:00,window\n" }
        _ = try village.importCases(name: "cases.csv", bytes: Array(csv.utf8), options: ImportOptions(now: ZoneRule.shanghai.parse("2026-11-20 12:00")!))
        try sync(village, to: township, limit: 50)
        // The village gets a new key: its enrolment part now has the township's newest rev,
        // above every one of its summary rows there.
        _ = try township.enroll(id: "V", publicKey: "k-V-1111111111111111111111111111111111111", name: nil, level: nil)
        // Only now does the county hear from the township, in small batches.
        try sync(township, to: county, limit: 50)
        XCTAssertEqual(try county.summaryRows(origin: "V"), try village.summaryRows(), "every village row reached the county")
        XCTAssertGreaterThan(try village.summaryRows().count, 100)
    }

    func testTheBacklogAVillageReportsReachesTheCountysAttentionList() throws {
        let (county, d0) = try node("C", .county, parent: nil)
        let (township, d1) = try node("T", .township, parent: "tcp://c")
        let (village, d2) = try node("V", .village, parent: "tcp://t")
        defer { for d in [d0, d1, d2] { try? FileManager.default.removeItem(at: d) } }
        _ = try county.enroll(id: "T", publicKey: "k-T-0000000000000000000000000000000000000", name: "某镇", level: nil)
        _ = try township.enroll(id: "V", publicKey: "k-V-0000000000000000000000000000000000000", name: "某村", level: nil)
        // The village last reported three days ago, with 37 rows not yet sent up.
        let asOf = Timestamp(seconds: WallClock.system.now.seconds - 3 * 86_400)
        try village.refreshOwnStatus(now: asOf, interval: 0, backlog: 37)
        try sync(village, to: township, limit: 100)
        try sync(township, to: county, limit: 100)
        // The county knows the village only through its own report: stale, with its backlog.
        let report = try county.dashboard(period: Period.year(2026)!, staleAfter: 86_400)
        XCTAssertEqual(report.attention.stale.map(\.id), ["V"])
        XCTAssertEqual(report.attention.stale.first?.backlog, 37)
        XCTAssertEqual(report.attention.stale.first?.lastSeen, asOf.seconds)
        XCTAssertTrue(report.table(zone: county.zone).contains("待上报 37 行"))
        XCTAssertEqual(report.total.nodes, 3)
        XCTAssertEqual(report.total.nodesReporting, 2)
    }

    func testAStoreThatLostAcknowledgedWork_restampsItsOwnRowsAboveTheParentsCursor() throws {
        let f = try StoreFixture()
        _ = try f.importCases("A1,SB001,2026-11-02 09:00,window,,,\nA2,SB001,2026-11-03 09:00,window,,,\n")
        let before = try f.store.incarnation()
        let rev = UInt64(try f.store.currentRev())
        XCTAssertNil(try f.store.recoverFromRollback(parentCursor: rev), "nothing lost: nothing to do")
        // The parent had acknowledged rev + 100: this store lost work (restored in place, a log removed).
        let next = try XCTUnwrap(try f.store.recoverFromRollback(parentCursor: rev + 100))
        XCTAssertEqual(next.epoch, before.epoch + 1)
        XCTAssertEqual(next.lineage.first, before.id)
        let batch = try XCTUnwrap(try f.store.readBatch(after: rev + 100))
        XCTAssertEqual(batch.summary.count, try f.store.summaryRows().count, "every own row goes up again, above the cursor")
        XCTAssertGreaterThanOrEqual(try f.store.currentRev(), next.revFloor)
    }
}

/// The dashboard sums whole months from rollups and the edges from daily rows: it must equal a
/// plain sum of the daily rows for any period, also after later writes.
final class RollupTests: XCTestCase {
    /// The dashboard's costly queries stay on their indexes (a plan, not a timing: the figures are in
    /// docs/benchmarks.md). v4's index was silently never used because of how its WHERE was written.
    func testTheDashboardQueriesUseTheirIndexes() throws {
        let f = try StoreFixture()
        let db = try RawDatabase(store: f.directory, readOnly: true)
        do {
            func plan(_ sql: String, _ args: [RawDatabase.Value] = []) throws -> String {
                try db.rows("EXPLAIN QUERY PLAN " + sql, args).compactMap { $0["detail"].text }.joined(separator: "; ")
            }
            let unrectified = try plan(NodeStore.unrectifiedSQL)
            XCTAssertTrue(unrectified.contains("USING INDEX exception_review_open"), unrectified)
            let daily = try plan(NodeStore.dailyByOriginSQL, ["2026-11-01", "2026-11-24"])
            XCTAssertTrue(daily.contains("SEARCH s USING PRIMARY KEY (origin=? AND day>? AND day<?)"), daily)
        }
    }

    func testDashboardTotalsEqualTheDailyRows_forAnyPeriod_andAfterLaterWrites() throws {
        let f = try StoreFixture()
        var rng = SeededRandom(seed: TestSeed.seed(77, for: "RollupTests"))
        func importSome(_ n: Int, prefix: String) throws {
            var csv = ""
            for i in 0..<n {
                let day = Day("2025-01-01")!.adding(days: Int.random(in: 0..<680, using: &rng))
                let done = Bool.random(using: &rng) ? "\(day) 11:00,approved,1" : ",,"
                csv += "\(prefix)\(i),SB001,\(day) 09:00,window,\(done)\n"
            }
            _ = try f.importCases(csv)
        }
        func daily(_ p: Period) throws -> SummaryCounters {
            do {
                let sums = SummaryCounters.columns.map { "coalesce(sum(\($0)), 0)" }.joined(separator: ", ")
                let r = try XCTUnwrap(try RawDatabase(store: f.directory, readOnly: true)
                    .rows("SELECT \(sums) FROM summary WHERE day BETWEEN ? AND ?", [.text(p.from.description), .text(p.to.description)]).first)
                return SummaryCounters(values: (0..<SummaryCounters.columns.count).map { Int(r[$0].int ?? 0) })
            }
        }
        try importSome(600, prefix: "R")
        for round in 0..<2 {
            for _ in 0..<40 {
                // Periods that have begun (today is 2026-11-20); their figures stand at min(end, today).
                let a = Day("2024-12-01")!.adding(days: Int.random(in: 0..<720, using: &rng))
                let p = Period(from: a, to: a.adding(days: Int.random(in: 0..<400, using: &rng)))
                let upToToday = Period(from: p.from, to: min(p.to, f.store.zone.day(of: StoreFixture.now)))
                XCTAssertEqual(try f.store.dashboard(period: p, now: StoreFixture.now).total.figures.counters, try daily(upToToday), "round \(round), \(p)")
            }
            try importSome(200, prefix: "S\(round)-")   // later writes touch some months again
        }
    }

    /// The breakdown by item read from the monthly item rollups equals the one summed from every
    /// daily row: for periods of any shape, with the rollups fresh and with months they do not
    /// reflect yet.
    func testItemWindowAndStaffTalliesFromTheRollupsEqualTheDailyRows() throws {
        let f = try StoreFixture()
        var rng = SeededRandom(seed: TestSeed.seed(91, for: "RollupTests"))
        let items = ["SB001", "CJ001", "XK001"]
        for w in ["W1", "W2", "W3"] { try f.store.addWindow(w, name: nil, kind: "综合", now: Timestamp(seconds: 0)) }
        func importSome(_ n: Int, prefix: String) throws {
            var csv = "case_no,item_code,accepted_at,channel,completed_at,outcome,visits,window,staff\n"
            for i in 0..<n {
                let day = Day("2025-06-01")!.adding(days: Int.random(in: 0..<530, using: &rng))
                let done = Bool.random(using: &rng) ? "\(day.adding(days: Int.random(in: 0...12, using: &rng))) 11:00,approved,1" : ",,"
                let window = ["", "W1", "W2", "W3"].randomElement(using: &rng)!, staff = ["", "S01", "S02"].randomElement(using: &rng)!
                csv += "\(prefix)\(i),\(items.randomElement(using: &rng)!),\(day) 09:00,window,\(done),\(window),\(staff)\n"
            }
            _ = try f.store.importCases(name: "cases.csv", bytes: Array(csv.replacingOccurrences(of: "2026-11-2", with: "2026-11-1").utf8),
                                        options: ImportOptions(now: StoreFixture.now))
        }
        func compare(_ label: String) throws {
            for _ in 0..<30 {
                let a = Day("2025-05-15")!.adding(days: Int.random(in: 0..<550, using: &rng))
                let p = Int.random(in: 0..<3, using: &rng) == 0 ? Period.month(year: a.components.year, month: a.components.month)!
                    : Period(from: a, to: a.adding(days: Int.random(in: 0..<200, using: &rng)))
                guard let asAt = AsAt(p, today: f.store.zone.day(of: StoreFixture.now)) else { continue }
                try f.store.read { db in
                    let fast = try NodeStore.tallyByItem(db, asAt: asAt, reviews: [], catalog: Catalog(), stale: try NodeStore.Staleness(db, .items))
                    let slow = try NodeStore.tallyByItemFromDailyRows(db, asAt: asAt, reviews: [], catalog: Catalog())
                    XCTAssertEqual(fast, slow, "\(label), \(p)")
                    for kind in UnitKind.allCases {
                        let stale = try NodeStore.Staleness(db, .units)
                        let units = try NodeStore.tallyByUnit(db, kind, asAt: asAt, reviews: [], catalog: Catalog(), stale: stale)
                        let unitsSlow = try NodeStore.tallyByUnit(db, kind, asAt: asAt, reviews: [], catalog: Catalog(), stale: stale, fromRollups: false)
                        XCTAssertEqual(units, unitsSlow, "\(label), \(kind), \(p)")
                        if p.to >= Day("2025-07-01")! { XCTAssertFalse(units.isEmpty, "\(label), \(kind), \(p)") }
                    }
                }
            }
        }
        try importSome(500, prefix: "R")
        try f.store.refreshRollups()
        try compare("fresh rollups")
        try importSome(150, prefix: "S")   // months the rollups do not reflect yet
        try compare("stale rollups")
        try f.store.refreshRollups(only: [.origins, .items])   // each rollup has its own watermark
        try compare("item rollups refreshed, unit rollups stale")
        try importSome(50, prefix: "T")
        try f.store.refreshRollups(only: [.units])
        try compare("unit rollups refreshed, item rollups stale")
        try f.store.refreshRollups()
        try compare("refreshed again")
    }
}


final class SubtreeConflictTests: XCTestCase {
    func testATownshipClaimingAnotherTownshipsVillage_isRefusedAndShownOnTheAttentionList() throws {
        func node(_ id: String, _ level: Level, parent: String?) throws -> NodeStore {
            try NodeStore.create(in: FileManager.default.temporaryDirectory.appendingPathComponent("sanji-conflict-\(UUID().uuidString)"),
                                 identity: NodeIdentity(id: id, name: id, level: level, parent: parent))
        }
        let county = try node("C", .county, parent: nil)
        let t1 = try node("T1", .township, parent: "tcp://c"), t2 = try node("T2", .township, parent: "tcp://c")
        defer { for s in [county, t1, t2] { try? FileManager.default.removeItem(at: s.directory) } }
        _ = try county.enroll(id: "T1", publicKey: "k-T1-000000000000000000000000000000000000", name: nil, level: nil)
        _ = try county.enroll(id: "T2", publicKey: "k-T2-000000000000000000000000000000000000", name: nil, level: nil)
        _ = try t1.enroll(id: "V", publicKey: "k-V1-000000000000000000000000000000000000", name: "某村", level: nil)
        _ = try t2.enroll(id: "V", publicKey: "k-V2-000000000000000000000000000000000000", name: "某村", level: nil)
        let first = try county.applyBatch(from: "T1", try t1.readBatch(after: 0)!)
        XCTAssertEqual(first.refusedRows, 0)
        let second = try county.applyBatch(from: "T2", try t2.readBatch(after: 0)!)
        XCTAssertEqual(second.refused.map(\.kind), [.enrolledElsewhere])
        let report = try county.dashboard(period: Period.year(2026)!)
        XCTAssertEqual(report.attention.conflicts.map { "\($0.subject) \($0.claimedBy) \($0.owner)" }, ["V T2 T1"])
        XCTAssertTrue(report.table(zone: county.zone).contains("归属冲突  V 已属 T1，T2 亦声称所辖（已拒绝）"))
    }
}

final class ClockSkewTests: XCTestCase {
    func testAVillageWhoseClockIsOffIsFlaggedAtTheCounty_andFutureTimesBeyondTheSettingAreRefused() throws {
        func node(_ id: String, _ level: Level, parent: String?) throws -> NodeStore {
            try NodeStore.create(in: FileManager.default.temporaryDirectory.appendingPathComponent("sanji-clock-\(UUID().uuidString)"),
                                 identity: NodeIdentity(id: id, name: id, level: level, parent: parent))
        }
        let county = try node("C", .county, parent: nil), township = try node("T", .township, parent: "tcp://c")
        let late = try node("V1", .village, parent: "tcp://t"), fine = try node("V2", .village, parent: "tcp://t")
        defer { for s in [county, township, late, fine] { try? FileManager.default.removeItem(at: s.directory) } }
        _ = try county.enroll(id: "T", publicKey: "k-T-0000000000000000000000000000000000000", name: nil, level: nil)
        _ = try township.enroll(id: "V1", publicKey: "k-V1-000000000000000000000000000000000000", name: "晚村", level: nil)
        _ = try township.enroll(id: "V2", publicKey: "k-V2-000000000000000000000000000000000000", name: "准村", level: nil)
        _ = try county.setClockSkewMinutes(5)
        // What each village measured against its parent's heartbeats: one an hour ahead, one 2 minutes.
        try late.refreshOwnStatus(interval: 0, clockSkew: 3600)
        try fine.refreshOwnStatus(interval: 0, clockSkew: 120)
        for v in [late, fine] { _ = try township.applyBatch(from: v.identity.id, try v.readBatch(after: 0)!) }
        _ = try county.applyBatch(from: "T", try township.readBatch(after: 0)!)
        let report = try county.dashboard(period: Period.year(2026)!)
        XCTAssertEqual(report.attention.clockSkewed.map(\.id), ["V1"])
        let table = report.table(zone: county.zone)
        XCTAssertTrue(table.contains("时钟偏差  V1") && table.contains("+60 分钟（相对上级）"), table)

        // The setting travels with the catalogue and bounds how far in the future a time may lie.
        _ = try county.importCatalog(name: "items.csv", bytes: Array(StoreFixture.items.utf8))
        XCTAssertTrue(try late.applyCatalog(try county.catalogDelta(after: 0)!))
        XCTAssertEqual(try late.catalog().clockSkewMinutes, 5)
        let now = WallClock.system.now
        XCTAssertThrowsError(try late.acceptCase(["case_no": "F1", "item_code": "SB001", "channel": "window",
                                                  "accepted_at": late.zone.format(Timestamp(seconds: now.seconds + 8 * 60))], now: now)) { error in
            XCTAssertTrue("\(error)".contains("5 minutes of clock skew allowed"), "\(error)")
        }
        XCTAssertNoThrow(try late.acceptCase(["case_no": "F2", "item_code": "SB001", "channel": "window",
                                              "accepted_at": late.zone.format(Timestamp(seconds: now.seconds + 3 * 60))], now: now))
    }
}
