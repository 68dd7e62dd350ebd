import Foundation
import SanjiCore
import SanjiReport
@_spi(Testing) @testable import SanjiStore

import XCTest

/// Figures as a county statistician signs them (docs/figures.md), on real store files: cases carried
/// from one month into the next, the state at a period's end, and data shaped like the seeds'.
final class PeriodEndTests: XCTestCase {
    let z = ZoneRule.shanghai

    func month(_ m: Int) -> Period { Period.month(year: 2026, month: m)! }

    /// 3 cases accepted in October and 4 completed (one carried over from September) was 133 %.
    func testCompletionRate_countsWhatWasCarriedIn_andNeverPassesOneHundredPercent() throws {
        let f = try StoreFixture()
        _ = try f.importCases("""
            S1,CJ001,2026-09-28 09:00,window,2026-10-09 10:00,approved,1
            O1,SB001,2026-10-12 09:00,window,2026-10-12 10:00,approved,1
            O2,SB001,2026-10-13 09:00,window,2026-10-13 10:00,approved,1
            O3,SB001,2026-10-14 09:00,window,2026-10-14 10:00,approved,1
            """ + "\n")
        let oct = try f.store.dashboard(period: month(10), now: StoreFixture.now).total.figures
        XCTAssertEqual([oct.openStart, oct.accepted, oct.completed, oct.openEnd], [1, 3, 4, 0])
        XCTAssertEqual(oct.completionRate, Ratio(4, 4))
        let sep = try f.store.dashboard(period: month(9), now: StoreFixture.now).total.figures
        XCTAssertEqual([sep.openStart, sep.accepted, sep.completed, sep.openEnd], [0, 1, 0, 1])
        XCTAssertEqual(sep.overdueOpenEnd, 0, "S1 was due 2026-10-13: not overdue at September's end")
    }

    /// A case open past its deadline at August's end and closed in October is 超期未办结 in August's
    /// figures and list, whenever they are asked for; a 差评 rectified in October was unrectified.
    func testAPastMonthShowsThatMonthsState_notToday() throws {
        let f = try StoreFixture()
        _ = try f.importCases("""
            K1,CJ001,2026-08-03 09:00,window,2026-10-09 10:00,approved,1
            K2,SB001,2026-08-10 09:00,window,2026-08-10 09:30,approved,1
            """ + "\n")
        _ = try f.importEvals("B1,K2,不满意,device,2026-08-10 10:00,2026-10-30 10:00,2026-10-31 10:00,满意\n")
        let august = try f.store.dashboard(period: month(8), now: StoreFixture.now, breakdown: (.item, 10))
        let a = august.total.figures
        XCTAssertEqual(a.overdueOpenEnd, 1, "K1 was due 2026-08-17 and still open at August's end")
        XCTAssertEqual([a.badReviews, a.reviews.rectified, a.reviews.revisited], [1, 0, 0], "rectified and revisited in October")
        XCTAssertEqual(a.rectificationRate, Ratio(0, 1))
        XCTAssertEqual(august.breakdown?.rows.first { $0.key == "CJ001" }?.figures.overdueOpenEnd, 1, "by item too")
        XCTAssertTrue(august.attention.unrectified.isEmpty, "today's attention list: it is rectified now")
        let list = try f.store.exceptions(period: month(8), now: StoreFixture.now)
        XCTAssertEqual(list.openOverdue.map(\.record.caseNo), ["K1"])
        XCTAssertEqual(list.unrectifiedOverdue.map(\.record.evalId), ["B1"], "past its 10-working-day limit and unrectified at August's end")
        // October: K1 completed late within it; B1 carried in, rectified within it.
        let october = try f.store.exceptions(period: month(10), now: StoreFixture.now)
        XCTAssertEqual(october.cases.map(\.state), [.completedLate])
        XCTAssertEqual(october.reviews.map(\.carriedOver), [true])
        XCTAssertEqual(october.reviews.first?.rectifiedDay, Day("2026-10-30"))
        let o = try f.store.dashboard(period: month(10), now: StoreFixture.now).total.figures
        XCTAssertEqual([o.openStart, o.completed, o.overdueOpenEnd], [1, 1, 0])
        XCTAssertEqual(o.onTimeRate, Ratio(0, 1))
        // A month not yet begun has no figures.
        XCTAssertThrowsError(try f.store.dashboard(period: month(12), now: StoreFixture.now))
    }

    /// 汉中's 满意率 (9,498 evaluations, 5 差评) cut, 怀远's 压缩比 (2,147 of 3,087 days) rounded half
    /// up, and a 汉中-style 办结率 with nothing carried in, from imported data of that shape.
    func testTheSeedsFigures_fromDataShapedLikeTheirs() throws {
        // 怀远: 承诺时限 compressed by 2,147 of 3,087 legal days over the items in scope:
        // 63 items of 49 legal days; promised 0 (four 即办件), 12 (one) and 16 (58): 940 days.
        var items = "code,name,type,department,levels,legal_days,promised_days,online_depth,max_visits,status\n"
        for i in 0..<63 { items += "HY\(i),事项\(i),01,县局,county,49,\(i < 4 ? 0 : i == 4 ? 12 : 16),3,1,active\n" }
        items += "CF1,处罚,02,县局,county,90,30,1,2,active\n"   // 依职权: out of scope
        let f = try StoreFixture(items: items)
        var county = try f.store.dashboard(period: month(11), now: StoreFixture.now).catalog[0]
        XCTAssertEqual(county.timeCompressionRatio, Ratio(3087 - 940, 3087))
        XCTAssertEqual(county.timeCompressionRatio.percentText(.halfUp), "69.55%")
        XCTAssertTrue(try f.store.dashboard(period: month(11), now: StoreFixture.now).table(zone: z).contains("69.55%"))

        // 汉中: 9,498 evaluations of which 5 差评; 766 accepted and 756 completed, nothing carried in.
        var cases = "", evals = ""
        for i in 0..<9498 {
            let day = Day("2026-11-02")!.adding(days: i % 15)
            if i < 766 { cases += "H\(i),HY0,\(day) 09:00,window,\(i < 756 ? "\(day) 10:00,approved,1" : ",,")\n" }
            evals += "V\(i),,\(i < 5 ? "不满意" : "满意"),device,\(day) 11:00,,,\n"
        }
        _ = try f.importCases(cases)
        _ = try f.importEvals(evals)
        _ = try f.store.setRounding(.cut)
        let d = try f.store.dashboard(period: month(11), now: StoreFixture.now)
        XCTAssertEqual([d.total.figures.evaluations, d.total.figures.badReviews], [9498, 5])
        XCTAssertEqual(d.rounding, .cut)
        let table = d.table(zone: z)
        XCTAssertTrue(table.contains("99.94%"), "满意率 cut, as 汉中 prints it")
        XCTAssertEqual(d.total.figures.completionRate.percentText(.cut), "98.69%")
        XCTAssertTrue(table.contains("98.69%"))
        county = d.catalog[0]
        XCTAssertEqual(county.timeCompressionRatio.percentText(d.rounding), "69.54%", "the same ratio cut")
    }

    /// A store made before v11 is migrated: its own summary rows are recomputed (cases due counted),
    /// its 差评 and late cases get exception records, and all of it carries new revs to travel up again.
    func testAnOlderStore_isRebuiltFromItsRawTables_andSendsItsRowsAgain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-v10-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try NodeStore.createSchema(in: dir, upTo: "v10 no day index on summary rows")
        let accepted = z.parse("2026-10-12 09:00")!.seconds, evaluated = z.parse("2026-10-12 10:00")!.seconds
        let db = try RawDatabase(store: dir)
        try db.transaction {
            for (k, v) in [("node_id", "340321100201"), ("node_name", "某村"), ("level", "village"), ("time_zone", "Asia/Shanghai"), ("created_at", "0")] {
                try db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [.text(k), .text(v)])
            }
            try db.execute("INSERT INTO node (id, name, level, parent, enrolled_at) VALUES ('340321100201', '某村', 'village', NULL, 0)")
            // One open case due 2026-10-13, and one 差评, written as 0.1.0 wrote them (v1 counters, bad_rectified on the row).
            try db.execute("INSERT INTO cases VALUES ('K1', 'SB001', ?, 'window', 0, '2026-10-13', NULL, NULL, NULL, '张三', '340321')", [.int(accepted)])
            try db.execute("INSERT INTO evaluations VALUES ('E1', NULL, '', '不满意', 'device', ?, ?, NULL, NULL)", [.int(evaluated), .int(evaluated + 3600)])
            try db.execute("""
                INSERT INTO summary (origin, day, item, accepted, grade_dissatisfied, bad_rectified, origin_rev, rev) VALUES
                ('340321100201', '2026-10-12', 'SB001', 1, 0, 0, 1, 1), ('340321100201', '2026-10-12', '', 0, 1, 1, 2, 2)
                """)
            try db.execute("UPDATE counter SET value = 2 WHERE name = 'rev'")
        }
        let store = try NodeStore.open(in: dir)
        XCTAssertEqual(try store.summaryRows(), try store.recomputedSummary())
        XCTAssertEqual(try store.summaryRows()[SummaryKey(day: Day("2026-10-13")!, item: "SB001")]?.due, 1, "the deadline's row")
        let records = try store.exceptionRecords()
        XCTAssertEqual(records.map(\.id).sorted(), ["E1", "K1"])
        guard case .badReview(let r)? = records.first(where: { $0.id == "E1" }) else { return XCTFail() }
        XCTAssertEqual(r.rectifiedDay, Day("2026-10-12"))
        // What changed is above what a parent had acknowledged (rev 2): the deadline's new row. The
        // other two rows now read as the parent's copies do after its own migration: not resent.
        let batch = try XCTUnwrap(try store.readBatch(after: 2))
        XCTAssertEqual(Set(batch.summary.map(\.key.day.description)), ["2026-10-13"])
        XCTAssertEqual(batch.exceptions.count, 2)
        // And it happens once.
        let rev = try store.currentRev()
        XCTAssertEqual(try NodeStore.open(in: dir).currentRev(), rev)
    }

    /// v15 rebuilds the window and staff rows' table in (kind, day, origin, unit) order: a store
    /// made before keeps every row, and its windows' figures come from the new monthly rollups.
    func testAStoreBeforeV15_keepsItsWindowRows_andBreaksThemDownFromTheRollups() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-v14-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try NodeStore.createSchema(in: dir, upTo: "v14 monthly rollups per item")
        let db = try RawDatabase(store: dir)
        var rev = 0
        try db.transaction {
            for (k, v) in [("node_id", "340321"), ("node_name", "某县"), ("level", "county"), ("time_zone", "Asia/Shanghai"), ("created_at", "0")] {
                try db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [.text(k), .text(v)])
            }
            try db.execute("INSERT INTO node (id, name, level, parent, enrolled_at) VALUES ('340321', '某县', 'county', NULL, 0), ('340321100', '某镇', 'township', '340321', 0)")
            for d in 0..<61 {
                let day = Day("2026-08-20")!.adding(days: d).description
                for (unit, n) in [("1", 1), ("2", 2)] {
                    rev += 1
                    try db.execute("INSERT INTO summary_unit (origin, kind, unit, day, accepted, completed, origin_rev, rev) VALUES ('340321100', 'window', ?, ?, ?, ?, ?, ?)",
                                   [.text(unit), .text(day), .int(Int64(n)), .int(Int64(n)), .int(Int64(rev)), .int(Int64(rev))])
                }
            }
            try db.execute("UPDATE counter SET value = ? WHERE name = 'rev'", [.int(Int64(rev))])
        }
        let store = try NodeStore.open(in: dir)
        let held = try RawDatabase(store: dir, readOnly: true)
        XCTAssertEqual(try held.rows("SELECT count(*), sum(accepted) FROM summary_unit").map(\.values), [[.int(122), .int(183)]], "every row kept")
        let september = try store.dashboard(period: Period.month(year: 2026, month: 9)!, now: StoreFixture.now, breakdown: (.window, 0))
        let rows = Dictionary(uniqueKeysWithValues: (september.breakdown?.rows ?? []).map { ($0.key, $0.figures.counters.accepted) })
        XCTAssertEqual(rows, ["340321100/1": 30, "340321100/2": 60])
        XCTAssertEqual(try held.rows("SELECT count(*) FROM summary_month_unit WHERE kind = 'window'").map(\.values), [[.int(6)]],
                       "the rollups were built: two windows × August, September, October")
    }
}
