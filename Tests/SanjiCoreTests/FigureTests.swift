import XCTest
@testable import SanjiCore

final class FigureTests: XCTestCase {
    func testPercentages_roundHalfUpOrCut_asTheCountyChose() {
        // 汉中: 9,498 evaluations with 5 差评, 99.947…%, printed cut as 99.94 %.
        var c = SummaryCounters()
        c.gradeVerySatisfied = 9000
        c.gradeSatisfied = 493
        c.gradeDissatisfied = 3
        c.gradeVeryDissatisfied = 2
        var reviews = ReviewTally()
        reviews.bad = 5
        let f = PeriodFigures(Tally(counters: c, reviews: reviews))
        XCTAssertEqual(f.evaluations, 9498)
        XCTAssertEqual(f.badReviews, 5)
        XCTAssertEqual(f.satisfactionRate.percentText(.cut), "99.94%")
        XCTAssertEqual(f.satisfactionRate.percentText(.halfUp), "99.95%")
        XCTAssertEqual(f.satisfactionRate.value!, 9493.0 / 9498.0, accuracy: 1e-15)
        // 怀远: 压缩承诺时限 2,147 of 3,087 days, 69.5497…%, printed half up as 69.55 %.
        XCTAssertEqual(Ratio(2147, 3087).percentText(.halfUp), "69.55%")
        XCTAssertEqual(Ratio(2147, 3087).percentText(.cut), "69.54%")
        XCTAssertEqual(Ratio(2, 3).percentText(.cut), "66.66%")
        XCTAssertEqual(Ratio(2, 3).percentText(.halfUp), "66.67%")
        XCTAssertEqual(Ratio(1, 20000).percentText(.halfUp), "0.01%", "0.005 % rounds up")
        XCTAssertEqual(Ratio(1, 20001).percentText(.halfUp), "0.00%")
        XCTAssertEqual(Ratio(-1, 3).percentText(.halfUp), "-33.33%")
        XCTAssertEqual(Ratio(-1, 30000).percentText(.halfUp), "0.00%", "no minus sign on a zero")
        XCTAssertEqual(Ratio(1, 1).percentText(.cut), "100.00%")
        XCTAssertEqual(Ratio(0, 7).percentText(.halfUp), "0.00%")
        XCTAssertEqual(Ratio(1, 0).percentText(.halfUp), "—")
        XCTAssertNil(Ratio(0, 0).value)
        XCTAssertEqual(Ratio(93, 100).decimalText(.halfUp), "0.93")
        XCTAssertEqual(Ratio(5, 3).decimalText(.cut), "1.66")
        XCTAssertEqual(Ratio(5, 3).decimalText(.halfUp), "1.67")
    }

    func testCompletionRate_countsCasesCarriedIn_andNeverExceedsOneHundredPercent() {
        // One station: 3 accepted in October, 4 completed (one carried over from September).
        var c = SummaryCounters()
        c.accepted = 3
        c.completed = 4
        c.completedOnTime = 4
        let f = PeriodFigures(Tally(counters: c, openStart: 1))
        XCTAssertEqual(f.completionRate, Ratio(4, 4), "办结 / (期初在办 + 受理), not 4/3 = 133 %")
        XCTAssertEqual(f.openEnd, 0)
        // 汉中-shaped: nothing carried in, so 办结率 = 办结 / 受理: 756 of 766 → 98.69 %.
        var h = SummaryCounters()
        h.accepted = 766
        h.completed = 756
        XCTAssertEqual(PeriodFigures(Tally(counters: h)).completionRate.percentText(.halfUp), "98.69%")
    }

    func testTallyFromCumulativeSums_opensAndOverdueAtThePeriodsEnd() {
        // Cumulative rows before the period: 10 accepted, 7 completed (6 on time), 9 due by then, 6 met.
        var before = SummaryCounters()
        (before.accepted, before.completed, before.completedOnTime, before.due, before.dueMet) = (10, 7, 6, 9, 6)
        // Through the end: 15 accepted, 12 completed (10 on time); before the cut 13 due, 9 met.
        var through = SummaryCounters()
        (through.accepted, through.completed, through.completedOnTime, through.due, through.dueMet) = (15, 12, 10, 14, 9)
        var cut = through
        cut.due = 13
        let t = Tally(beforeFrom: before, throughEnd: through, beforeCut: cut)
        XCTAssertEqual(t.openStart, 3)
        XCTAssertEqual(t.counters.accepted, 5)
        XCTAssertEqual(t.counters.completed, 5)
        XCTAssertEqual(PeriodFigures(t).openEnd, 3)
        // due before the cut 13, met 9, completed late by the end 2: 2 open past their deadline.
        XCTAssertEqual(t.overdueOpenEnd, 2)
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
        var catalog = Catalog(items: Dictionary(uniqueKeysWithValues: items.map { ($0.code, $0) }))
        let f = CatalogFigures(level: .county, catalog: catalog)
        XCTAssertEqual(f.items, 3)
        XCTAssertEqual(f.onlineRate, Ratio(2, 3))
        XCTAssertEqual(f.fullOnlineRate, Ratio(1, 3))
        XCTAssertEqual(f.immediateShare, Ratio(1, 3))
        XCTAssertEqual(f.maxOneVisitShare, Ratio(2, 3))
        XCTAssertEqual(f.zeroVisitShare, Ratio(1, 3))
        // (20 + 66 − 5 − 10) / (20 + 66) = 71/86, not the mean of 15/20 and 56/66.
        XCTAssertEqual(f.timeCompressionRatio, Ratio(71, 86))
        XCTAssertEqual(CatalogFigures(level: .village, catalog: catalog).onlineRate.percentText(.halfUp), "—")
        // A province that counts 网上可办 from Ⅲ.
        catalog.apply(setting: "online_min_depth", value: "3")
        XCTAssertEqual(CatalogFigures(level: .county, catalog: catalog).onlineRate, Ratio(2, 3))
        catalog.apply(setting: "online_min_depth", value: "4")
        XCTAssertEqual(CatalogFigures(level: .county, catalog: catalog).onlineRate, Ratio(1, 3))
    }

    func testCatalogFigures_countOnlyItemsOfferedToApplicants_unlessTheCountySaysAll() {
        var penalty = item("P", legal: 90, promised: 90, depth: 1, visits: 2)
        penalty.type = .penalty
        var inspection = item("I", legal: nil, promised: 30, depth: 1, visits: 2)
        inspection.type = .inspection
        var service = item("S", legal: 10, promised: 2, depth: 4, visits: 0)
        service.type = .publicService
        let license = item("L", legal: 20, promised: 10, depth: 3, visits: 1)
        var catalog = Catalog(items: Dictionary(uniqueKeysWithValues: [penalty, inspection, service, license].map { ($0.code, $0) }))
        let scoped = CatalogFigures(level: .county, catalog: catalog)
        XCTAssertEqual(scoped.items, 2, "依职权 items (处罚, 检查) are not offered to applicants")
        XCTAssertEqual(scoped.onlineRate, Ratio(2, 2))
        XCTAssertEqual(scoped.timeCompressionRatio, Ratio(18, 30))
        catalog.apply(setting: "catalog_scope", value: "all")
        let all = CatalogFigures(level: .county, catalog: catalog)
        XCTAssertEqual(all.items, 4)
        XCTAssertEqual(all.timeCompressionRatio, Ratio(18, 120))
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
        let due = rows[SummaryKey(day: Day("2026-11-04")!, item: "X")]!
        XCTAssertEqual(due.due, 1, "counted on its deadline's row")
        XCTAssertEqual(due.dueMet, 0, "completed after it")
        var open = c
        open.completedAt = nil
        let delta = Contribution.delta(from: Contribution.of(open, zone: z), to: rows)
        XCTAssertEqual(delta.count, 1, "completing a case late touches only the completion day's row")
        XCTAssertEqual(delta.values.first?.completed, 1)
        var onTime = open
        onTime.completedAt = z.parse("2026-11-03 09:00")!
        onTime.outcome = .approved
        onTime.visits = 0
        let metDelta = Contribution.delta(from: Contribution.of(open, zone: z), to: Contribution.of(onTime, zone: z))
        XCTAssertEqual(metDelta[SummaryKey(day: Day("2026-11-04")!, item: "X")]?.dueMet, 1, "on time: its deadline's row counts it met")
        // An agent channel is always 帮办代办.
        XCTAssertTrue(CaseRecord(caseNo: "2", itemCode: "X", acceptedAt: c.acceptedAt, channel: .agent, assisted: false, deadline: c.deadline).assisted)
    }

    func testGrades_areKeptByLabel_andNumbersNeedTheirDirection() {
        XCTAssertEqual(try Grade.parse("1", codes: .oneIsBest).get(), .verySatisfied)
        XCTAssertEqual(try Grade.parse("4", codes: .oneIsBest).get(), .dissatisfied)
        XCTAssertEqual(try Grade.parse("1", codes: .fiveIsBest).get(), .veryDissatisfied)
        XCTAssertEqual(try Grade.parse("5", codes: .fiveIsBest).get(), .verySatisfied)
        XCTAssertEqual(try Grade.parse("基本满意", codes: nil).get(), .fair)
        XCTAssertEqual(Grade.parse("2", codes: nil), .failure(.numericWithoutCodes))
        XCTAssertEqual(Grade.parse("好", codes: nil), .failure(.unknown))
        // A standard's name does not say which way its numbers run: refused, with the two directions named.
        guard case .failure(let e) = Grade.Codes.parse("gbt39046") else { return XCTFail("gbt39046 must be refused") }
        XCTAssertTrue(e.message.contains("names a standard, not a direction") && e.message.contains("one-is-best"), e.message)
        XCTAssertEqual(try Grade.Codes.parse("five-is-best").get(), .fiveIsBest)
    }
}
