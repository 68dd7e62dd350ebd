import SanjiReport
import XCTest
@testable import SanjiCore

final class DashboardDetailTests: XCTestCase {
    func counters(accepted: Int, completed: Int = 0, onTime: Int = 0, bad: Int = 0, good: Int = 0, overdue: Int = 0) -> Tally {
        var c = SummaryCounters()
        c.accepted = accepted
        c.completed = completed
        c.completedOnTime = onTime
        c.gradeDissatisfied = bad
        c.gradeSatisfied = good
        var reviews = ReviewTally()
        reviews.bad = bad
        return Tally(counters: c, overdueOpenEnd: overdue, reviews: reviews)
    }

    let nodes = [
        NodeInfo(id: "C", name: "县", level: .county, parent: nil, lastSeen: 100, catalogSeq: 3, openCases: 0, overdueCases: 0, reporting: true),
        NodeInfo(id: "T1", name: "甲镇", level: .township, parent: "C", lastSeen: 100, catalogSeq: 3, openCases: 4, overdueCases: 2, reporting: true),
        NodeInfo(id: "V1", name: "甲村", level: .village, parent: "T1", lastSeen: 100, catalogSeq: 2, openCases: 1, overdueCases: 0, reporting: true),
        NodeInfo(id: "V2", name: "乙村", level: .village, parent: "T1", lastSeen: nil, catalogSeq: nil, openCases: 0, overdueCases: 0, reporting: false),
        NodeInfo(id: "T2", name: "乙镇", level: .township, parent: "C", lastSeen: 100, catalogSeq: 3, openCases: 0, overdueCases: 0, reporting: true),
    ]

    func testByTownship_rollsEachTownshipUpWithItsVillagesBeneath() {
        let byOrigin = ["C": counters(accepted: 1), "T1": counters(accepted: 10), "V1": counters(accepted: 5), "V2": counters(accepted: 2), "T2": counters(accepted: 7)]
        let rows = DashboardReport.breakdown(.township, nodes: nodes, tallyByOrigin: byOrigin, tallyByItem: [:], catalog: Catalog(), limit: 0)
        XCTAssertEqual(rows.map(\.key), ["C", "T1", "V1", "V2", "T2"])
        XCTAssertEqual(rows.map(\.figures.accepted), [1, 17, 5, 2, 7])
        XCTAssertEqual(rows.map(\.depth), [0, 0, 1, 1, 0])
        XCTAssertEqual(rows[1].nodes, 3)
        XCTAssertEqual(rows[1].nodesReporting, 2, "乙村 never reported")
    }

    func testByDepartmentAndItem_followTheCatalogue() {
        let catalog = Catalog(items: [
            "A": CatalogItem(code: "A", name: "甲", type: .license, department: "县人社局", levels: [.county], legalDays: 5, promisedDays: 1, onlineDepth: 3, maxVisits: 1),
            "B": CatalogItem(code: "B", name: "乙", type: .license, department: "县人社局", levels: [.county], legalDays: 5, promisedDays: 1, onlineDepth: 3, maxVisits: 1),
            "D": CatalogItem(code: "D", name: "丁", type: .license, department: "县民政局", levels: [.county], legalDays: 5, promisedDays: 1, onlineDepth: 3, maxVisits: 1),
        ])
        let byItem = ["A": counters(accepted: 3), "B": counters(accepted: 4), "D": counters(accepted: 9), "": counters(accepted: 0, good: 2)]
        let depts = DashboardReport.breakdown(.department, nodes: nodes, tallyByOrigin: [:], tallyByItem: byItem, catalog: catalog, limit: 0)
        XCTAssertEqual(depts.map(\.name), ["县民政局", "县人社局", "(未关联事项)"])
        XCTAssertEqual(depts.map(\.figures.accepted), [9, 7, 0])
        let items = DashboardReport.breakdown(.item, nodes: nodes, tallyByOrigin: [:], tallyByItem: byItem, catalog: catalog, limit: 2)
        XCTAssertEqual(items.map(\.name), ["丁", "乙"])
    }

    func review(_ origin: String, _ day: String, rectified: String? = nil, appeal: AppealDecision? = nil, appealDay: String? = nil) -> BadReview {
        BadReview(origin: origin, evalId: "\(origin)-\(day)-\(rectified ?? "")", item: "A", grade: .dissatisfied, channel: .device, day: Day(day)!, named: false,
                  rectifiedDay: rectified.flatMap { Day($0) }, appeal: appeal, appealDay: appealDay.flatMap { Day($0) })
    }

    func testAttention_staleBehindOverdueAndBadReviewsPastTheirWorkingDayLimit() {
        var catalog = Catalog(sequence: 3, rectifyDays: 5)
        catalog.calendar = WorkCalendar(exceptions: [Day("2026-10-01")!: .holiday, Day("2026-10-02")!: .holiday])
        let bad = [
            review("V1", "2026-09-29"), review("V1", "2026-09-29"),   // due 5 working days later: 2026-10-09 (holidays skipped) < today
            review("V1", "2026-10-05"),                               // due 2026-10-12: not yet
            review("T1", "2026-09-01"),
            review("T2", "2026-09-01", appeal: .upheld, appealDay: "2026-09-03"),   // taken out on appeal
        ]
        let a = DashboardReport.attention(nodes: nodes, selfId: "C", catalog: catalog, today: Day("2026-10-11")!, unrectified: bad)
        XCTAssertEqual(a.stale.map(\.id), ["V2"])
        XCTAssertEqual(a.behindCatalog.map(\.id), ["V1", "V2"])
        XCTAssertEqual(a.overdue.map(\.id), ["T1"])
        XCTAssertEqual(a.unrectified, [
            UnrectifiedBadReviews(node: "V1", name: "甲村", count: 2, oldestDay: Day("2026-09-29")!),
            UnrectifiedBadReviews(node: "T1", name: "甲镇", count: 1, oldestDay: Day("2026-09-01")!),
        ])
    }

    func testMonthlyReport_ranksAndMonthOnMonthChange() {
        let byOrigin = ["T1": counters(accepted: 10, completed: 10, onTime: 9, good: 10), "T2": counters(accepted: 20, completed: 10, onTime: 10, bad: 1, good: 9)]
        let period = Period.month(year: 2026, month: 10)!
        let asAt = AsAt(period, today: Day("2026-11-20")!)!
        let current = DashboardReport.make(node: NodeIdentity(id: "C", name: "县", level: .county), asOf: Timestamp(seconds: 0), asAt: asAt,
                                           catalog: Catalog(), nodes: nodes, tallyByOrigin: byOrigin, breakdown: (.township, 0), today: Day("2026-11-20")!)
        let previous = DashboardReport.make(node: NodeIdentity(id: "C", name: "县", level: .county), asOf: Timestamp(seconds: 0), asAt: asAt,
                                            catalog: Catalog(), nodes: nodes, tallyByOrigin: ["T1": counters(accepted: 15, completed: 10, onTime: 10)],
                                            today: Day("2026-11-20")!)
        let r = MonthlyReport(year: 2026, month: 10, current: current, departments: [], previous: previous,
                              exceptions: ExceptionList(records: [], asAt: asAt, catalog: Catalog()))
        XCTAssertEqual(r.rankings.accepted, ["T1": 2, "T2": 1])
        XCTAssertEqual(r.rankings.onTime, ["T2": 1, "T1": 2])
        XCTAssertEqual(MonthlyReport.changeCount(30, 15, rounding: .halfUp), "+100.00%")
        XCTAssertEqual(MonthlyReport.change(Ratio(19, 20), Ratio(1, 1), rounding: .halfUp), "-5.00pp")
        XCTAssertEqual(MonthlyReport.change(Ratio(2, 3), Ratio(0, 1), rounding: .halfUp), "+66.67pp")
        XCTAssertEqual(MonthlyReport.change(Ratio(2, 3), Ratio(0, 1), rounding: .cut), "+66.66pp")
        let csv = r.csv()
        XCTAssertTrue(csv.contains("township,T2,rank_accepted,1\n"), csv)
        XCTAssertTrue(csv.contains("previous_month,,accepted,15\n"), csv)
        let html = r.html(zone: .shanghai)
        XCTAssertTrue(html.contains("<svg") && html.contains("@page { size: A4"), "inline SVG charts and A4 print rules")
        XCTAssertFalse(html.contains("<script") || html.contains("<link"), "no script or external resource")
    }

    func testRankings_onTimeTiesAreBrokenByFewerCasesLeftOverdue() {
        let byOrigin = ["T1": counters(accepted: 10, completed: 10, onTime: 10, overdue: 3), "T2": counters(accepted: 10, completed: 5, onTime: 5, overdue: 0)]
        let asAt = AsAt(Period.month(year: 2026, month: 10)!, today: Day("2026-11-20")!)!
        let d = DashboardReport.make(node: NodeIdentity(id: "C", name: "县", level: .county), asOf: Timestamp(seconds: 0), asAt: asAt,
                                     catalog: Catalog(), nodes: nodes, tallyByOrigin: byOrigin, breakdown: (.township, 0), today: Day("2026-11-20")!)
        let r = MonthlyReport(year: 2026, month: 10, current: d, departments: [], previous: d, exceptions: ExceptionList(records: [], asAt: asAt, catalog: Catalog()))
        XCTAssertEqual(r.rankings.onTime, ["T2": 1, "T1": 2], "both 100 %: T1 left three cases open past their deadline")
    }

    func testDurations() {
        XCTAssertEqual(DurationText.seconds("24h"), 86_400)
        XCTAssertEqual(DurationText.seconds("90m"), 5_400)
        XCTAssertEqual(DurationText.seconds("2d"), 172_800)
        XCTAssertEqual(DurationText.seconds("45"), 45)
        XCTAssertNil(DurationText.seconds("soon"))
        XCTAssertNil(DurationText.seconds("0h"))
    }
}
