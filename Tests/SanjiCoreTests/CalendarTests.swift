import XCTest
@testable import SanjiCore

final class CalendarTests: XCTestCase {
    func day(_ s: String) -> Day { Day(s)! }

    func testDayRoundTripsAndKnowsItsWeekday() {
        XCTAssertEqual(day("1970-01-01").number, 0)
        XCTAssertEqual(day("2026-11-24").description, "2026-11-24")
        XCTAssertEqual(day("2026-11-24").weekday, 2)  // a Tuesday
        XCTAssertEqual(day("2024-02-29").adding(days: 1).description, "2024-03-01")
        XCTAssertNil(Day("2026-02-29"))
        XCTAssertNil(Day("2026-13-01"))
        XCTAssertNil(Day("2026/11/24"))
        for n in stride(from: -800_000, to: 800_000, by: 997) {
            let d = Day(number: n)
            let (y, m, dd) = d.components
            XCTAssertEqual(Day(year: y, month: m, day: dd), d)
        }
    }

    /// The text of a day is written byte by byte (the codec's and the upserts' path): it must be
    /// the same as the padded interpolation it replaced, in years of every width.
    func testDayText_isTheSameByEveryPath() {
        for n in stride(from: -719_162, to: 2_932_897, by: 113) {   // 0001-01-01 … 9999-12-31
            let d = Day(number: n)
            let (y, m, dd) = d.components
            let expected = "\(Day.pad(y, 4))-\(Day.pad(m, 2))-\(Day.pad(dd, 2))"
            XCTAssertEqual(d.description, expected)
            XCTAssertEqual(d.withISOBytes { String(decoding: $0, as: UTF8.self) }, expected)
            XCTAssertEqual(Day(expected), d)
        }
        let far = Day(year: 12_026, month: 1, day: 2)!
        XCTAssertEqual(far.description, "12026-01-02", "a year past 9999 is printed whole")
        XCTAssertEqual(far.withISOBytes { String(decoding: $0, as: UTF8.self) }, "12026-01-02")
    }

    /// The 2026 national calendar: 国庆 1–7 October off, 10 October (Saturday) worked.
    let calendar2026 = WorkCalendar(exceptions: Dictionary(uniqueKeysWithValues:
        (1...7).map { (Day(year: 2026, month: 10, day: $0)!, WorkCalendar.Kind.holiday) }
        + [(Day(year: 2026, month: 10, day: 10)!, .workday), (Day(year: 2026, month: 2, day: 14)!, .workday)]
        + (15...23).map { (Day(year: 2026, month: 2, day: $0)!, WorkCalendar.Kind.holiday) }))

    func testDeadline_acrossTheNationalDayHolidayAndA调休Saturday() {
        // Accepted Wednesday 30 September with 3 working days: 8 Oct, 9 Oct, then Saturday 10 Oct (调休).
        XCTAssertEqual(calendar2026.deadline(acceptedOn: day("2026-09-30"), workingDays: 3), day("2026-10-10"))
        // 4 working days reach Monday 12 October.
        XCTAssertEqual(calendar2026.deadline(acceptedOn: day("2026-09-30"), workingDays: 4), day("2026-10-12"))
        // Without the calendar the same case would be due on Monday 5 October.
        XCTAssertEqual(WorkCalendar().deadline(acceptedOn: day("2026-09-30"), workingDays: 3), day("2026-10-05"))
    }

    func testDeadline_ofAnImmediateItemIsTheSameDay_evenOnAHoliday() {
        XCTAssertEqual(calendar2026.deadline(acceptedOn: day("2026-10-03"), workingDays: 0), day("2026-10-03"))
    }

    func testDeadline_springFestival_theWorkedSaturdayBeforeItCounts() {
        // Friday 13 Feb + 1 working day = Saturday 14 Feb (调休); + 2 = Tuesday 24 Feb after the holiday.
        XCTAssertEqual(calendar2026.deadline(acceptedOn: day("2026-02-13"), workingDays: 1), day("2026-02-14"))
        XCTAssertEqual(calendar2026.deadline(acceptedOn: day("2026-02-13"), workingDays: 2), day("2026-02-24"))
        XCTAssertEqual(calendar2026.workingDays(from: day("2026-02-09"), through: day("2026-02-24")), 7)
    }

    func testTimestamps_areReadWithOrWithoutOffset_andCutIntoShanghaiDays() {
        let z = ZoneRule.shanghai
        let withOffset = z.parse("2026-11-03T09:30:00+08:00")!
        XCTAssertEqual(z.parse("2026-11-03T01:30:00Z"), withOffset)
        XCTAssertEqual(z.parse("2026-11-03 09:30"), withOffset)
        XCTAssertEqual(z.parse("2026-11-03T09:30:00"), withOffset)
        XCTAssertEqual(z.parse("2026-11-03T09:30:00.250+0800"), withOffset)
        XCTAssertEqual(z.format(withOffset), "2026-11-03T09:30:00+08:00")
        // 16:30 UTC is already the next day in Shanghai: days are never cut in UTC.
        XCTAssertEqual(z.day(of: z.parse("2026-11-03T16:30:00Z")!), day("2026-11-04"))
        XCTAssertEqual(z.day(of: z.parse("2026-11-03T15:59:59Z")!), day("2026-11-03"))
        XCTAssertEqual(z.parse("2026-11-03"), z.parse("2026-11-03T00:00:00+08:00"))
        for bad in ["2026-11-03T25:00", "2026-11-3", "03/11/2026", "2026-11-03T09:30+8", "2026-11-03T09:30:00+08:00x", ""] {
            XCTAssertNil(z.parse(bad), bad)
        }
    }

    func testTimestamps_inAZoneWithDaylightSaving() {
        let z = ZoneRule(identifier: "Europe/Berlin")!
        XCTAssertEqual(z.format(z.parse("2026-07-01T12:00")!), "2026-07-01T12:00:00+02:00")
        XCTAssertEqual(z.format(z.parse("2026-01-01T12:00")!), "2026-01-01T12:00:00+01:00")
    }
}
