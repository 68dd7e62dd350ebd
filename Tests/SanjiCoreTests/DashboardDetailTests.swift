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

    func report(_ current: [String: Tally], previous: [String: Tally] = [:], lastYear: [String: Tally] = [:], windows: [BreakdownRow] = [],
                honor: Int = 3) -> MonthlyReport {
        let asAt = AsAt(Period.month(year: 2026, month: 10)!, today: Day("2026-11-20")!)!
        func board(_ t: [String: Tally], _ kind: BreakdownKind? = nil) -> DashboardReport {
            DashboardReport.make(node: NodeIdentity(id: "C", name: "县", level: .county), asOf: Timestamp(seconds: 0), asAt: asAt, catalog: Catalog(),
                                 nodes: nodes, tallyByOrigin: t, breakdown: kind.map { ($0, 0) }, today: Day("2026-11-20")!)
        }
        let periods = MonthlyReport.Periods(current: board(current, .township), previous: board(previous, .township), lastYear: board(lastYear),
                                            yearToDate: board(current, .node), lastYearToDate: board(lastYear))
        let stations = board(current, .node).breakdown!.rows
        return MonthlyReport(year: 2026, month: 10, periods: periods, breakdowns: .init(stations: stations, departments: [], windows: windows),
                             exceptions: ExceptionList(records: [], asAt: asAt, catalog: Catalog()), honorWindows: honor)
    }

    func testMonthlyReport_ranksByScore_statesTies_andListsUnitsWithoutDataApart() {
        // T1 (with V1, V2) and T2 alike: a tie; the county's own row is no township.
        let same = counters(accepted: 10, completed: 10, onTime: 9, good: 10)
        let r = report(["T1": same, "T2": same])
        XCTAssertEqual(r.townshipRanking.map(\.rankText), ["1（并列）", "1（并列）"])
        // T2 with nothing at all: 无数据, listed after the ranked, never ranked.
        let r2 = report(["T1": same])
        XCTAssertEqual(r2.townshipRanking.map(\.key), ["T1", "T2"])
        XCTAssertEqual(r2.townshipRanking.map(\.rankText), ["1", "无数据"])
        XCTAssertTrue(r2.story.contains { $0.contains("乙镇本月无办件和评价数据，不参与排名") }, "\(r2.story)")
        let csv = r2.csv()
        XCTAssertTrue(csv.contains("township,T2,rank,no_data\n"), csv)
        XCTAssertTrue(csv.contains("township,T1,rank_accepted,1\n"), csv)
        let html = r2.html(zone: .shanghai)
        XCTAssertTrue(html.contains("<svg") && html.contains("@page { size: A4"), "inline SVG charts and A4 print rules")
        XCTAssertFalse(html.contains("<script") || html.contains("<link"), "no script or external resource")
        XCTAssertTrue(html.contains("无数据（本月无办件和评价，不参与排名）：乙镇"), "the 无数据 line")
    }

    func testMonthlyReport_changesInTheWordsOfA通报() {
        XCTAssertEqual(MonthlyReport.countChange(30, 15, rounding: .halfUp), "增长 100.00%")
        XCTAssertEqual(MonthlyReport.countChange(15, 30, rounding: .halfUp), "下降 50.00%")
        XCTAssertEqual(MonthlyReport.countChange(15, 15, rounding: .halfUp), "持平")
        XCTAssertEqual(MonthlyReport.countChange(15, 0, rounding: .halfUp), "—")
        XCTAssertEqual(MonthlyReport.pointsChange(Ratio(19, 20), Ratio(1, 1), rounding: .halfUp), "下降 5.00 个百分点")
        XCTAssertEqual(MonthlyReport.pointsChange(Ratio(2, 3), Ratio(0, 1), rounding: .halfUp), "上升 66.67 个百分点")
        XCTAssertEqual(MonthlyReport.pointsChange(Ratio(2, 3), Ratio(0, 1), rounding: .cut), "上升 66.66 个百分点")
        XCTAssertEqual(MonthlyReport.pointsChange(Ratio(1, 2), Ratio(2, 4), rounding: .cut), "持平")
        XCTAssertEqual(MonthlyReport.pointsChange(Ratio(1, 2), Ratio(0, 0), rounding: .cut), "—")
        XCTAssertEqual(MonthlyReport.chineseNumeral(13), "十三")
        XCTAssertEqual(MonthlyReport.chineseNumeral(21), "二十一")
        let r = report(["T1": counters(accepted: 20)], previous: ["T1": counters(accepted: 16)], lastYear: ["T1": counters(accepted: 25)])
        let line = r.overview.first { $0.label == "办件量" }!
        XCTAssertEqual([line.value, line.monthOnMonth, line.yearOnYear], ["20", "增长 25.00%", "下降 20.00%"])
        let md = r.markdown(zone: .shanghai)
        XCTAssertFalse(md.contains("pp") || md.contains("节点") || md.contains("村社区"), "no program jargon")
        XCTAssertTrue(md.contains("村（社区）"))
    }

    func testHonorRollAndWindowsThatNeedAttention() {
        func window(_ key: String, _ t: Tally) -> BreakdownRow {
            BreakdownRow(key: key, name: key, level: nil, depth: 0, nodes: 0, nodesReporting: 0, figures: PeriodFigures(t))
        }
        let windows = [window("C/1", counters(accepted: 10, completed: 10, onTime: 10, good: 10)),
                       window("C/2", counters(accepted: 10, completed: 10, onTime: 10, good: 10)),
                       window("C/3", counters(accepted: 10, completed: 8, onTime: 6, good: 9)),
                       window("C/4", counters(accepted: 10, completed: 10, onTime: 10, good: 10, overdue: 1)),
                       window("C/5", counters(accepted: 10, completed: 5, onTime: 3, bad: 2, good: 5))]
        let r = report(["T1": counters(accepted: 50)], windows: windows, honor: 1)
        // C/1 and C/2 tie for first: both are 红旗窗口; C/4 left a case open past its deadline, so it is not one.
        XCTAssertEqual(r.honorRoll.map(\.key), ["C/1", "C/2"])
        XCTAssertEqual(r.attentionWindows.map(\.unit.key), ["C/4", "C/5"])
        XCTAssertEqual(r.attentionWindows.first { $0.unit.key == "C/4" }?.reasons, ["期末超期未办结 1 件"])
        XCTAssertEqual(r.attentionWindows.first { $0.unit.key == "C/5" }?.reasons, ["综合得分靠后"])
    }

    func testScoreWeights_parseRefuseAndRenormalise() throws {
        XCTAssertEqual(try ScoreWeights.parse(ScoreWeights.default.text).get(), .default)
        XCTAssertThrowsError(try ScoreWeights.parse("speed=10").get())
        XCTAssertThrowsError(try ScoreWeights.parse("completion=101").get())
        XCTAssertThrowsError(try ScoreWeights.parse("completion=0").get())
        let w = try ScoreWeights.parse("completion=50,satisfaction=50").get()
        // No evaluations: 满意率 undefined, so the score is the 办结率 alone (not half of it).
        let f = PeriodFigures(counters(accepted: 10, completed: 8))
        XCTAssertEqual(w.score(f)!, 80, accuracy: 1e-9)
        XCTAssertNil(w.score(PeriodFigures(Tally())), "无数据")
        // A case left open past its deadline counts as late in the 按期 part of the score.
        let onTime = try ScoreWeights.parse("on_time=1").get()
        XCTAssertEqual(onTime.score(PeriodFigures(counters(accepted: 10, completed: 3, onTime: 3, overdue: 1)))!, 75, accuracy: 1e-9)
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
