import XCTest
import SanjiCore
@testable import SanjiStore

/// The 通报 from a store holding two years of data, against figures computed by hand; and where
/// window and staff rows may travel.
final class MonthlyReportStoreTests: XCTestCase {
    static let header = "case_no,item_code,accepted_at,channel,completed_at,outcome,visits,window,staff,modes\n"

    func fixture() throws -> StoreFixture {
        let f = try StoreFixture()
        try f.store.addWindow("1", name: "综合受理1号窗口", kind: "综合")
        try f.store.addWindow("2", name: "综合受理2号窗口", kind: "综合")
        // XK001: 承诺 5 working days. November 2025: 4 cases, all on time.
        // October 2026: 5 cases. November 2026: 6 cases, 2 mailed, 1 帮办, one of window 2 left open past its deadline.
        let cases = """
            L1,XK001,2025-11-03 09:00,window,2025-11-04 10:00,approved,1,1,0101,
            L2,XK001,2025-11-04 09:00,window,2025-11-05 10:00,approved,1,1,0101,
            L3,XK001,2025-11-05 09:00,window,2025-11-06 10:00,approved,1,1,0102,
            L4,XK001,2025-11-06 09:00,window,2025-11-07 10:00,approved,1,2,0201,
            O1,XK001,2026-10-12 09:00,window,2026-10-13 10:00,approved,1,1,0101,
            O2,XK001,2026-10-13 09:00,window,2026-10-14 10:00,approved,1,1,0101,
            O3,XK001,2026-10-14 09:00,window,2026-10-15 10:00,approved,1,2,0201,
            O4,XK001,2026-10-15 09:00,window,2026-10-16 10:00,approved,1,2,0201,
            O5,XK001,2026-10-16 09:00,online,2026-10-19 10:00,approved,0,,,
            N1,XK001,2026-11-02 09:00,window,2026-11-03 10:00,approved,1,1,0101,邮寄
            N2,XK001,2026-11-03 09:00,window,2026-11-04 10:00,approved,1,1,0101,邮寄
            N3,XK001,2026-11-04 09:00,window,2026-11-05 10:00,approved,1,1,0102,帮办
            N4,XK001,2026-11-05 09:00,window,2026-11-06 10:00,approved,1,1,0102,
            N5,XK001,2026-11-02 09:00,window,,,,2,0201,
            N6,XK001,2026-11-06 09:00,window,2026-11-09 10:00,approved,1,2,0201,

            """
        _ = try f.store.importCases(name: "cases.csv", bytes: Array((Self.header + cases).utf8), options: ImportOptions(now: StoreFixture.now))
        _ = try f.store.importEvaluations(name: "evals.csv", bytes: Array("""
            eval_id,case_no,grade,channel,evaluated_at,named
            E1,N1,非常满意,device,2026-11-03 11:00,0
            E2,N2,非常满意,device,2026-11-04 11:00,0
            E3,N3,非常满意,device,2026-11-05 11:00,0
            E4,N6,不满意,online,2026-11-09 11:00,1
            E5,O3,满意,device,2026-10-15 11:00,0

            """.utf8), options: ImportOptions(now: StoreFixture.now))
        _ = try f.store.importConsultations(name: "consults.csv", bytes: Array("""
            consult_id,at,item_code,window,staff
            Z1,2026-11-03 15:00,XK001,1,0101
            Z2,2026-11-04 15:00,,1,0101
            Z3,2026-11-05 15:00,,1,0102

            """.utf8), options: ImportOptions(now: StoreFixture.now))
        return f
    }

    func testYearOnYearMonthOnMonthAndTheYearToDate_byHand() throws {
        let f = try fixture()
        let december = ZoneRule.shanghai.parse("2026-12-05 09:00")!
        let r = try f.store.monthlyReport(year: 2026, month: 11, now: december)
        func line(_ label: String) -> MonthlyReport.Line { r.overview.first { $0.label == label }! }
        // 办件量: 6 in November 2026, 4 a year before (+50 %), 5 in October (+20 %); 11 this year to date, 4 last (+175 %).
        let accepted = line("办件量")
        XCTAssertEqual([accepted.value, accepted.yearOnYear, accepted.monthOnMonth, accepted.yearToDate, accepted.yearToDateChange],
                       ["6", "增长 50.00%", "增长 20.00%", "11", "增长 175.00%"])
        // 办结率: 5/6 now; 4/4 a year before: 83.33 % − 100 % = −16.67 points.
        XCTAssertEqual(line("办结率").value, "83.33%")
        XCTAssertEqual(line("办结率").yearOnYear, "下降 16.67 个百分点")
        // Service modes: 2 mailed, 1 帮办, 3 咨询; 帮办代办服务 = 帮办 + 代办 + 上门 + 咨询 = 4.
        func mode(_ prefix: String) -> String { r.modeLines.first { $0.label.hasPrefix(prefix) }!.value }
        XCTAssertEqual([mode("邮寄"), mode("帮办"), mode("咨询"), mode("帮办代办服务合计")], ["2", "1", "3", "4"])
        // Windows: 1 is the 红旗窗口; 2 left N5 open past its deadline and a 实名差评 (E4) unrectified past its limit.
        XCTAssertEqual(r.breakdowns.windows.map(\.key).sorted(), ["340321/1", "340321/2"])
        XCTAssertEqual(r.honorRoll.map(\.key), ["340321/1"])
        let attention = try XCTUnwrap(r.attentionWindows.first { $0.unit.key == "340321/2" })
        XCTAssertEqual(attention.reasons, ["期末超期未办结 1 件", "实名差评超期未整改 1 件"])
        // The window's own figures: 4 accepted in window 1, 3 evaluations, 100 % satisfied.
        let w1 = try XCTUnwrap(r.breakdowns.windows.first { $0.key == "340321/1" })
        XCTAssertEqual([w1.figures.accepted, w1.figures.evaluations, w1.figures.consultations], [4, 3, 3])
        // Staff figures stay at the station, and are there: 0101 and 0102 of window 1, 0201 of window 2.
        XCTAssertEqual(Set(r.breakdowns.staff.map(\.key)), ["340321/0101", "340321/0102", "340321/0201"])
        // The CSV carries every figure the document shows.
        let csv = r.csv()
        for l in ["total,,accepted,6", "same_month_last_year,,accepted,4", "previous_month,,accepted,5", "year_to_date,,accepted,11",
                  "year_to_date_last_year,,accepted,4", "total,,mode_mail,2", "total,,consultations,3", "total,,assistance_services,4",
                  "window,340321/1,rank,1", "honor_window,340321/1,score,"] {
            XCTAssertTrue(csv.contains(l), "missing \(l) in\n\(csv)")
        }
    }

    func testTargetsAgainstTheShareOfTheYearGone() throws {
        let f = try fixture()
        _ = try f.store.setTarget(year: 2026, levels: [.county], node: nil, accepted: 22, now: StoreFixture.now)
        XCTAssertThrowsError(try f.store.setTarget(year: 2026, levels: [], node: "999", accepted: 5, now: StoreFixture.now))
        let r = try f.store.monthlyReport(year: 2026, month: 11, now: ZoneRule.shanghai.parse("2026-12-05 09:00")!)
        let t = try XCTUnwrap(r.targets.first)
        // 11 of 22 done; 334 of 365 days gone by 30 November: behind.
        XCTAssertEqual([t.label, String(t.done), t.share.percentText(.halfUp), t.timeShare.percentText(.halfUp)], ["县级", "11", "50.00%", "91.51%"])
        XCTAssertFalse(t.onPace)
        XCTAssertTrue(r.story.contains { $0.contains("县级年度办件目标 22 件，已完成 11 件（50.00%），时间进度 91.51%，慢于时间进度") }, "\(r.story)")
    }

    func testWindowRowsTravel_staffRowsOnlyOnceTheCountySaysSo() throws {
        let f = try fixture()
        func kinds(after: UInt64) throws -> [UnitKind: Int] {
            var out: [UnitKind: Int] = [:]
            var from = after
            while let b = try f.store.readBatch(after: from, limit: 500) {
                for u in b.units { out[u.key.kind, default: 0] += 1 }
                from = b.toRev
            }
            return out
        }
        let first = try kinds(after: 0)
        XCTAssertGreaterThan(first[.window] ?? 0, 0)
        XCTAssertNil(first[.staff], "staff figures stay at the station by default")
        XCTAssertEqual(try f.store.backlog(above: UInt64(try f.store.currentRev())), 0)
        let top = UInt64(try f.store.currentRev())
        _ = try f.store.setStaffFigures(travel: true)
        let after = try kinds(after: top)
        XCTAssertEqual(after[.staff], try f.store.unitRows().keys.filter { $0.kind == .staff }.count, "every staff row travels once allowed")
        XCTAssertNil(after[.window], "window rows already sent are not sent again")
    }

    func testARetiredWindowTakesNoNewCase_butItsHistoryStays() throws {
        let f = try fixture()
        try f.store.retireWindow("2", now: ZoneRule.shanghai.parse("2026-11-10 08:00")!)
        XCTAssertThrowsError(try f.store.acceptCase(["case_no": "N9", "item_code": "XK001", "accepted_at": "2026-11-12 09:00", "channel": "window", "window": "2"],
                                                    now: StoreFixture.now)) { error in
            XCTAssertTrue("\(error)".contains("window 2 was retired"), "\(error)")
        }
        // A later export of a case accepted there before is still taken.
        let r = try f.store.importCases(name: "again.csv", bytes: Array((Self.header + "N5,XK001,2026-11-02 09:00,window,2026-11-16 10:00,approved,1,2,0201,\n").utf8),
                                        options: ImportOptions(now: StoreFixture.now))
        XCTAssertEqual(r.updated, 1)
        XCTAssertEqual(try f.store.windows().map { $0.retiredAt == nil }, [true, false])
    }
}
