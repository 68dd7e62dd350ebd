import XCTest
@testable import SanjiCore

final class FigureTests: XCTestCase {
    func testPercentages_areCutNotRounded_asOfficialReportsPrintThem() {
        // 9498 evaluations with 5 差评: 99.947…% prints as 99.94 %.
        var c = SummaryCounters()
        c.gradeVerySatisfied = 9000
        c.gradeSatisfied = 493
        c.gradeDissatisfied = 3
        c.gradeVeryDissatisfied = 2
        let f = CaseFigures(c)
        XCTAssertEqual(f.evaluations, 9498)
        XCTAssertEqual(f.badReviews, 5)
        XCTAssertEqual(f.satisfactionRate.percentText, "99.94%")
        XCTAssertEqual(f.satisfactionRate.value!, 9493.0 / 9498.0, accuracy: 1e-15)
        XCTAssertEqual(Ratio(2, 3).percentText, "66.66%")
        XCTAssertEqual(Ratio(1, 1).percentText, "100.00%")
        XCTAssertEqual(Ratio(0, 7).percentText, "0.00%")
        XCTAssertEqual(Ratio(1, 0).percentText, "—")
        XCTAssertNil(Ratio(0, 0).value)
        XCTAssertEqual(Ratio(93, 100).decimalText, "0.93")
        XCTAssertEqual(Ratio(5, 3).decimalText, "1.66")
    }

    func testCaseFigures_followTheDesignDefinitions() {
        var c = SummaryCounters()
        c.accepted = 200
        c.acceptedOnline = 120
        c.assisted = 7
        c.completed = 150
        c.completedOnTime = 147
        c.visits = 90
        c.gradeSatisfied = 10
        c.gradeDissatisfied = 4
        c.badRectified = 3
        c.badRevisited = 2
        let f = CaseFigures(c)
        XCTAssertEqual(f.completionRate, Ratio(150, 200))
        XCTAssertEqual(f.onTimeRate, Ratio(147, 150))
        XCTAssertEqual(f.onlineShare, Ratio(120, 200))
        XCTAssertEqual(f.averageVisits, Ratio(90, 150))
        XCTAssertEqual(f.satisfactionRate, Ratio(10, 14))
        XCTAssertEqual(f.rectificationRate, Ratio(3, 4))
        XCTAssertEqual(f.revisitRate, Ratio(2, 4))
        XCTAssertEqual(f.onTimeRate.percentText, "98.00%")
    }

    func item(_ code: String, legal: Int?, promised: Int, depth: Int, visits: Int, levels: Set<Level> = [.county], withdrawn: Bool = false) -> CatalogItem {
        CatalogItem(code: code, name: code, type: .license, department: "县局", levels: levels, legalDays: legal,
                    promisedDays: promised, onlineDepth: depth, maxVisits: visits, withdrawn: withdrawn)
    }

    func testCatalogFigures_overActiveItemsOfTheLevel_compressionIsARatioOfSums() {
        let items = [
            item("A", legal: 20, promised: 5, depth: 4, visits: 0),
            item("B", legal: 66, promised: 10, depth: 3, visits: 1),  // 3 months
            item("C", legal: nil, promised: 0, depth: 1, visits: 2),
            item("D", legal: 10, promised: 10, depth: 2, visits: 1, levels: [.township]),
            item("E", legal: 10, promised: 1, depth: 4, visits: 0, withdrawn: true),
        ]
        let f = CatalogFigures(level: .county, catalog: items)
        XCTAssertEqual(f.items, 3)
        XCTAssertEqual(f.onlineRate, Ratio(2, 3))
        XCTAssertEqual(f.fullOnlineRate, Ratio(1, 3))
        XCTAssertEqual(f.immediateShare, Ratio(1, 3))
        XCTAssertEqual(f.maxOneVisitShare, Ratio(2, 3))
        XCTAssertEqual(f.zeroVisitShare, Ratio(1, 3))
        // (20 + 66 − 5 − 10) / (20 + 66) = 71/86, not the mean of 15/20 and 56/66.
        XCTAssertEqual(f.timeCompressionRatio, Ratio(71, 86))
        XCTAssertEqual(CatalogFigures(level: .village, catalog: items).onlineRate.percentText, "—")
    }

    func testTimeLimits_inMonthsAndYears_convertAt22And250WorkingDays() {
        XCTAssertEqual(CatalogItem.parseWorkingDays("20"), 20)
        XCTAssertEqual(CatalogItem.parseWorkingDays("3m"), 66)
        XCTAssertEqual(CatalogItem.parseWorkingDays("3个月"), 66)
        XCTAssertEqual(CatalogItem.parseWorkingDays("1y"), 250)
        XCTAssertEqual(CatalogItem.parseWorkingDays("15个工作日"), 15)
        XCTAssertNil(CatalogItem.parseWorkingDays("soon"))
        XCTAssertNil(CatalogItem.parseWorkingDays("-1"))
    }

    func testContribution_countsAcceptanceAndCompletionOnTheirOwnDays() {
        let z = ZoneRule.shanghai
        let c = CaseRecord(caseNo: "1", itemCode: "X", acceptedAt: z.parse("2026-11-02 10:00")!, channel: .mobile, assisted: false,
                           deadline: Day("2026-11-04")!, completedAt: z.parse("2026-11-05 09:00")!, outcome: .approved, visits: 1)
        let rows = Contribution.of(c, zone: z)
        let accepted = rows[SummaryKey(day: Day("2026-11-02")!, item: "X")]!
        let completed = rows[SummaryKey(day: Day("2026-11-05")!, item: "X")]!
        XCTAssertEqual(accepted.accepted, 1)
        XCTAssertEqual(accepted.acceptedOnline, 1)
        XCTAssertEqual(accepted.completed, 0)
        XCTAssertEqual(completed.completed, 1)
        XCTAssertEqual(completed.completedOnTime, 0, "completed a day after its deadline")
        XCTAssertEqual(completed.visits, 1)
        var open = c
        open.completedAt = nil
        let delta = Contribution.delta(from: Contribution.of(open, zone: z), to: rows)
        XCTAssertEqual(delta.count, 1, "completing a case touches only the completion day's row")
        XCTAssertEqual(delta.values.first?.completed, 1)
        // An agent channel is always 帮办代办.
        XCTAssertTrue(CaseRecord(caseNo: "2", itemCode: "X", acceptedAt: c.acceptedAt, channel: .agent, assisted: false, deadline: c.deadline).assisted)
    }

    func testGrades_areKeptByLabel_andNumbersNeedTheirCodes() {
        XCTAssertEqual(try Grade.parse("1", codes: .gbt39046).get(), .verySatisfied)
        XCTAssertEqual(try Grade.parse("1", codes: .fiveIsBest).get(), .veryDissatisfied)
        XCTAssertEqual(try Grade.parse("5", codes: .fiveIsBest).get(), .verySatisfied)
        XCTAssertEqual(try Grade.parse("基本满意", codes: nil).get(), .fair)
        XCTAssertEqual(Grade.parse("2", codes: nil), .failure(.numericWithoutCodes))
        XCTAssertEqual(Grade.parse("好", codes: nil), .failure(.unknown))
    }
}
