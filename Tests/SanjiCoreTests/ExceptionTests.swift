import SanjiReport
import XCTest
@testable import SanjiCore

/// Exception records and "as at the period's end": each is a pure function of dated records.
final class ExceptionTests: XCTestCase {
    let z = ZoneRule.shanghai
    let august = Period.month(year: 2026, month: 8)!
    let today = Day("2026-11-25")!

    func d(_ s: String) -> Day { Day(s)! }

    func testAsAt_anEndedPeriodStandsAtItsLastDay_aRunningOneAtToday_aFutureOneIsRefused() {
        let ended = AsAt(august, today: today)!
        XCTAssertEqual(ended.lastDay, d("2026-08-31"))
        XCTAssertEqual(ended.deadlineCut, d("2026-09-01"), "a case due on the last day and still open at its end is overdue")
        XCTAssertTrue(ended.ended)
        let running = AsAt(Period.month(year: 2026, month: 11)!, today: today)!
        XCTAssertEqual(running.lastDay, today)
        XCTAssertEqual(running.deadlineCut, today, "a case due today is not late yet")
        XCTAssertFalse(running.ended)
        XCTAssertNil(AsAt(Period.month(year: 2026, month: 12)!, today: today))
    }

    func testOverdueCase_isMadeWhenLateOrOpenPastItsDeadline_andStandsAsAtEachPeriod() {
        let accepted = z.parse("2026-08-20 09:00")!
        var c = CaseRecord(caseNo: "K1", itemCode: "X", acceptedAt: accepted, channel: .window, assisted: false, deadline: d("2026-08-27"))
        XCTAssertNil(OverdueCase.of(c, origin: "V", department: "县局", zone: z, today: d("2026-08-27")), "due today: not late yet")
        let open = OverdueCase.of(c, origin: "V", department: "县局", zone: z, today: d("2026-08-28"))!
        XCTAssertNil(open.completedDay)
        // Completed in October: in August's list it was open past its deadline; in October's, completed late.
        c.completedAt = z.parse("2026-10-09 10:00")!
        let late = OverdueCase.of(c, origin: "V", department: "县局", zone: z, today: today)!
        XCTAssertEqual(late.state(at: AsAt(august, today: today)!), .open)
        XCTAssertEqual(late.state(at: AsAt(Period.month(year: 2026, month: 9)!, today: today)!), .open)
        XCTAssertEqual(late.state(at: AsAt(Period.month(year: 2026, month: 10)!, today: today)!), .completedLate)
        XCTAssertNil(late.state(at: AsAt(Period.month(year: 2026, month: 11)!, today: today)!), "its lateness belongs to October")
        XCTAssertNil(late.state(at: AsAt(Period.month(year: 2026, month: 7)!, today: today)!), "not yet accepted")
        // An on-time completion is no exception.
        c.completedAt = z.parse("2026-08-26 10:00")!
        XCTAssertNil(OverdueCase.of(c, origin: "V", department: "县局", zone: z, today: today))
        // Working days overdue in August: after 2026-08-27 (Thu) through 08-31 (Mon): Fri 28 and Mon 31.
        XCTAssertEqual(late.workingDaysOverdue(at: AsAt(august, today: today)!, calendar: WorkCalendar()), 2)
    }

    func testBadReview_followUpAsAtThePeriodsEnd() {
        var catalog = Catalog(rectifyDays: 5)
        catalog.calendar = WorkCalendar()
        let e = EvaluationRecord(evalId: "E1", caseNo: nil, itemCode: "X", grade: .dissatisfied, channel: .device,
                                 evaluatedAt: z.parse("2026-08-10 10:00")!, rectifiedAt: z.parse("2026-10-30 10:00")!,
                                 revisitedAt: z.parse("2026-10-31 10:00")!, revisitGrade: .satisfied, named: true)
        XCTAssertNil(BadReview.of(EvaluationRecord(evalId: "G", caseNo: nil, itemCode: "X", grade: .satisfied, channel: .device,
                                                   evaluatedAt: e.evaluatedAt), origin: "V", zone: z), "only a 差评 is an exception")
        let r = BadReview.of(e, origin: "V", zone: z)!
        XCTAssertEqual(r.rectifyDue(catalog), d("2026-08-17"))
        let aug = AsAt(august, today: today)!
        XCTAssertTrue(r.overdueUnrectified(at: aug, catalog: catalog), "in August it was past its limit and not rectified")
        var t = ReviewTally()
        t.add(r, at: aug, catalog: catalog)
        XCTAssertEqual(t.bad, 1)
        XCTAssertEqual(t.rectified, 0)
        XCTAssertEqual(t.revisited, 0)
        XCTAssertEqual(t.rectifyDue, 1)
        XCTAssertEqual(t.named, 1)
        // The same record as at October's end: rectified (late), revisited, satisfied.
        let october = AsAt(Period(from: d("2026-08-01"), to: d("2026-10-31")), today: today)!
        var t2 = ReviewTally()
        t2.add(r, at: october, catalog: catalog)
        XCTAssertEqual(t2.rectified, 1)
        XCTAssertEqual(t2.rectifiedInTime, 0, "rectified after its limit")
        XCTAssertEqual(t2.namedRevisited, 1)
        XCTAssertEqual(t2.revisitSatisfied, 1)
        XCTAssertFalse(r.overdueUnrectified(at: october, catalog: catalog))
    }

    func testAnUpheldAppeal_takesTheBadReviewOutFromTheDayItWasDecided() {
        let catalog = Catalog(rectifyDays: 5)
        let r = BadReview(origin: "V", evalId: "E", item: "X", grade: .veryDissatisfied, channel: .online, day: d("2026-08-10"), named: false,
                          appeal: .upheld, appealDay: d("2026-09-03"))
        var aug = ReviewTally()
        aug.add(r, at: AsAt(august, today: today)!, catalog: catalog)
        XCTAssertEqual([aug.bad, aug.upheld], [1, 0], "decided in September: in August it still counted")
        var whole = ReviewTally()
        whole.add(r, at: AsAt(Period(from: d("2026-08-01"), to: d("2026-09-30")), today: today)!, catalog: catalog)
        XCTAssertEqual([whole.bad, whole.upheld], [0, 1])
        var c = SummaryCounters()
        c.gradeVerySatisfied = 9
        c.gradeVeryDissatisfied = 1
        let f = PeriodFigures(Tally(counters: c, reviews: whole))
        XCTAssertEqual(f.evaluations, 9)
        XCTAssertEqual(f.satisfactionRate, Ratio(9, 9), "the upheld 差评 leaves 满意率 altogether")
    }

    func testExceptionList_showsEachRecordAsItStoodAtThePeriodsEnd() {
        let catalog = Catalog(rectifyDays: 5)
        let records: [ExceptionRecord] = [
            .overdueCase(OverdueCase(origin: "V", caseNo: "K1", item: "X", department: "县局", acceptedDay: d("2026-08-20"),
                                     deadline: d("2026-08-27"), completedDay: d("2026-10-09"))),
            .badReview(BadReview(origin: "V", evalId: "E1", item: "X", grade: .dissatisfied, channel: .device, day: d("2026-08-10"),
                                 named: true, rectifiedDay: d("2026-10-30"), revisitedDay: d("2026-10-31"), revisitGrade: .satisfied)),
            .badReview(BadReview(origin: "V", evalId: "E0", item: "X", grade: .dissatisfied, channel: .device, day: d("2026-06-10"),
                                 named: false, rectifiedDay: d("2026-06-11"))),
        ]
        let list = ExceptionList(records: records, asAt: AsAt(august, today: today)!, catalog: catalog)
        XCTAssertEqual(list.cases.map(\.state), [.open])
        XCTAssertNil(list.cases.first?.completedDay, "completed after August: open in August's list")
        XCTAssertEqual(list.reviews.map(\.record.evalId), ["E1"], "E0 was rectified before August began")
        XCTAssertNil(list.reviews[0].rectifiedDay, "rectified in October: unrectified in August")
        XCTAssertTrue(list.reviews[0].overdueUnrectified)
        let json = list.json(names: ["V": "某村"]).render(pretty: false)
        XCTAssertTrue(json.contains("\"days_overdue\":2") && json.contains("\"rectified_day\":null"), json)
        let september = ExceptionList(records: records, asAt: AsAt(Period.month(year: 2026, month: 9)!, today: today)!, catalog: catalog)
        XCTAssertEqual(september.reviews.map(\.carriedOver), [true], "still open when September began")
    }
}
