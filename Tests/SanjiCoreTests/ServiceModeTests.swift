import XCTest
@testable import SanjiCore

/// Service modes, windows and staff as a clerk writes them, read by the same parser as imports.
final class ServiceModeTests: XCTestCase {
    let catalog = Catalog(items: [
        "A": CatalogItem(code: "A", name: "甲", type: .publicService, department: "县人社局", levels: [.county], legalDays: 5, promisedDays: 1, onlineDepth: 3, maxVisits: 1),
    ])

    func parser(windows: Set<String> = ["1", "2"]) -> RowParser {
        RowParser(catalog: catalog, level: .county, zone: .shanghai, now: ZoneRule.shanghai.parse("2026-11-20 12:00")!, windows: windows)
    }

    func parse(_ fields: [String: String], windows: Set<String> = ["1", "2"]) -> (CaseRecord?, [RowParser.Problem]) {
        var base = ["case_no": "C1", "item_code": "A", "accepted_at": "2026-11-03 09:00", "channel": "window"]
        base.merge(fields) { $1 }
        var problems: [RowParser.Problem] = []
        let r = parser(windows: windows).parseCase({ base[$0] ?? "" }, problems: &problems)
        return (r?.0, problems)
    }

    func testModesFromAListAndFromOneColumnEach() {
        let (c, problems) = parse(["modes": "帮办、预约", "mail": "是", "window": "1", "staff": "0107"])
        XCTAssertTrue(problems.isEmpty, "\(problems)")
        XCTAssertEqual(c?.modes.modes, [.help, .appointment, .mail])
        XCTAssertEqual(c?.assisted, true, "帮办 is 帮办代办")
        XCTAssertEqual(c?.window, "1")
        XCTAssertEqual(c?.staff, "0107")
        var unknown: [String] = []
        XCTAssertEqual(ServiceModes.parse("help|政务专递 延时服务", unknown: &unknown).modes, [.help, .extended, .mail])
        XCTAssertTrue(unknown.isEmpty)
    }

    func testTheChannelImpliesItsMode() {
        XCTAssertEqual(parse(["channel": "agent"]).0?.modes.modes, [.proxy])
        XCTAssertEqual(parse(["channel": "上门"]).0?.modes.modes, [.home])
    }

    func testUnknownModesAndWindowsAreRefusedByName() {
        let (_, modeProblems) = parse(["modes": "帮办,快递"])
        XCTAssertEqual(modeProblems.map(\.field), ["modes"])
        XCTAssertTrue(modeProblems[0].message.contains("\"快递\" not a service mode"), modeProblems[0].message)
        let (_, windowProblems) = parse(["window": "9"])
        XCTAssertEqual(windowProblems.map(\.field), ["window"])
        XCTAssertTrue(windowProblems[0].message.contains("sanji window add 9") && windowProblems[0].message.contains("1, 2"), windowProblems[0].message)
        let (_, none) = parse(["window": "1"], windows: [])
        XCTAssertTrue(none[0].message.contains("it has none yet"), none[0].message)
        let (_, flag) = parse(["help": "maybe"])
        XCTAssertEqual(flag.map(\.field), ["help"])
    }

    func testACaseAddsToItsWindowAndStaffRowsWhatItAddsToItsItemRows() {
        let c = CaseRecord(caseNo: "C1", itemCode: "A", acceptedAt: ZoneRule.shanghai.parse("2026-11-03 09:00")!, channel: .window, assisted: false,
                           deadline: Day("2026-11-04")!, completedAt: ZoneRule.shanghai.parse("2026-11-04 10:00")!, outcome: .approved, visits: 1,
                           modes: ServiceModes([.mail]), window: "2", staff: "0201")
        var item = SummaryCounters(), window = SummaryCounters(), staff = SummaryCounters()
        c.forEachContribution(zone: .shanghai) { _, v in item += v }
        Contribution.forEachUnit(of: c, zone: .shanghai) { k, v in
            if k.kind == .window { window += v } else { staff += v }
        }
        XCTAssertEqual(item.modeMail, 1)
        XCTAssertEqual(window, item)
        XCTAssertEqual(staff, item)
        var none = 0
        Contribution.forEachUnit(of: CaseRecord(caseNo: "C2", itemCode: "A", acceptedAt: Timestamp(seconds: 0), channel: .window, assisted: false,
                                                deadline: Day("2026-11-04")!), zone: .shanghai) { _, _ in none += 1 }
        XCTAssertEqual(none, 0, "no window and no staff: no unit rows")
    }

    func testAModeCountedBeyondItsCasesIsImpossible() {
        var c = SummaryCounters()
        c.accepted = 1
        c.modeMail = 2
        XCTAssertEqual(c.impossibility, "mode_mail 2 is more than accepted 1")
        c.modeMail = 0
        c.consultations = 40
        XCTAssertNil(c.impossibility, "咨询 are no cases")
    }

    func testTargetProgressAgainstTheShareOfTheYearGone() {
        let t = YearTarget(year: 2026, scope: "level:county", accepted: 365)
        let p = TargetProgress(t, yearToDate: nil)
        XCTAssertNil(p.asAt)
        XCTAssertEqual(t.levels, [.county])
        XCTAssertEqual(YearTarget(year: 2026, scope: "level:township+village", accepted: 1).levels, [.township, .village])
        XCTAssertEqual(YearTarget(year: 2026, scope: "node:340321100", accepted: 1).node, "340321100")
    }
}
