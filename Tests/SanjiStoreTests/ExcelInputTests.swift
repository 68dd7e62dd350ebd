import Foundation
import SanjiCore
@testable import SanjiStore
import XCTest

/// What people and spreadsheets put into files (issue 12, findings 4 and 5): invisible characters,
/// scientific notation, Excel's dates, blank rows, a value in no column, a file of two encodings.
final class ExcelInputTests: XCTestCase {
    func issues(_ f: StoreFixture, _ body: String) -> [String] {
        do {
            _ = try f.importCases(body)
            return []
        } catch let e as ImportRejected {
            return e.issues.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testInvisibleCharactersAndFullWidthLetters_makeNoSecondCase() throws {
        let f = try StoreFixture()
        _ = try f.importCases("2026110001,SB001,2026-11-02 09:00,window,,,\n")
        // The same case number with a trailing no-break space and with a zero-width space; Ｂ100 is B100.
        let r = try f.importCases("2026110001\u{00A0},SB001,2026-11-02 09:00,window,,,\n2026110001\u{200B},SB001,2026-11-02 09:00,window,,,\nＢ100,SB001,2026-11-03 09:00,window,,,\n")
        XCTAssertEqual([r.new, r.updated, r.unchanged], [1, 0, 2])
        // A later export in full-width digits completes it.
        XCTAssertEqual(try f.importCases("２０２６１１０００１,SB001,2026-11-02 09:00,window,2026-11-02 10:00,approved,1\n").updated, 1)
        XCTAssertNotNil(try f.store.fetchCase("B100"))
        XCTAssertNotNil(try f.store.fetchCase("2026110001\u{200B}"), "typed with an invisible character, found all the same")
        let d = try f.store.dashboard(period: Period.month(year: 2026, month: 11)!, now: StoreFixture.now).total.figures
        XCTAssertEqual([d.accepted, d.completed], [2, 1], "one real case read as accepted 1, completed 1 — not accepted 4")
    }

    func testControlCharactersAndScientificNotation_areRefusedWithTheReason() throws {
        let f = try StoreFixture()
        let problems = issues(f, "2026110001\u{0000},SB001,2026-11-02 09:00,window,,,\n2.02611E+09,SB001,2026-11-02 09:00,window,,,\n")
        XCTAssertTrue(problems.contains { $0.hasPrefix("cases.csv:2: case_no: holds a control character (U+0000") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("cases.csv:3: case_no: \"2.02611E+09\" is a number a spreadsheet wrote in scientific notation") }, "\(problems)")
        XCTAssertThrowsError(try f.store.completeCase("2.02611E+09", at: nil, outcome: "approved", visits: 0, now: StoreFixture.now))
    }

    func testExcelsDates_areRead_andDaysThatDoNotExistSaySo() throws {
        let f = try StoreFixture()
        let r = try f.importCases("""
            E1,SB001,2026/11/3 9:05,window,2026/11/3 9:35:10,approved,1
            E2,SB001,2026-11-04 9:05,window,,,
            """ + "\n")
        XCTAssertEqual(r.new, 2)
        XCTAssertEqual(try f.store.fetchCase("E1")?.acceptedAt, f.store.zone.parse("2026-11-03T09:05:00+08:00"))
        let bad = issues(f, "E3,SB001,2026-02-30 09:00,window,,,\nE4,SB001,46330.375,window,,,\n")
        XCTAssertTrue(bad.contains { $0.hasPrefix("cases.csv:2: accepted_at: \"2026-02-30 09:00\": there is no 2026-02-30 (2026-02 has 28 days)") }, "\(bad)")
        XCTAssertTrue(bad.contains { $0.contains("cases.csv:3: accepted_at: \"46330.375\" looks like an Excel date serial (2026-11-04T09:00:00+08:00); pass --excel-dates") }, "\(bad)")
        var options = ImportOptions(now: StoreFixture.now)
        options.excelDates = true
        let serial = try f.store.importCases(name: "s.csv", bytes: Array("case_no,item_code,accepted_at,channel\nE4,SB001,46330.375,window\n".utf8), options: options)
        XCTAssertEqual(serial.new, 1)
        XCTAssertEqual(try f.store.fetchCase("E4")?.acceptedAt, f.store.zone.parse("2026-11-04 09:00"))
    }

    func testBlankRowsArePassedOver_aValueInNoColumnIsRefused() throws {
        let f = try StoreFixture()
        let r = try f.importCases("B1,SB001,2026-11-02 09:00,window,,,\n,,,,,,\n , ,,,,,\nB2,SB001,2026-11-02 10:00,window,,,\n")
        XCTAssertEqual(r.new, 2, "Excel's blank rows inside a sheet")
        let before = try f.fingerprint()
        let extra = issues(f, "B3,SB001,2026-11-02 09:00,window,,,,张三\n")
        XCTAssertEqual(extra, ["cases.csv:2: column 8: the row has 8 fields but the header has 7; \"张三\" is in no column (a comma inside a value must be quoted)"])
        XCTAssertEqual(try f.fingerprint(), before, "nothing was imported")
        XCTAssertEqual(try f.importCases("B4,SB001,2026-11-02 09:00,window,,,,\n").new, 1, "an empty trailing cell loses nothing")
    }

    func testAFileOfTwoEncodings_isRefusedNamingTheLines() throws {
        let f = try StoreFixture()
        var bytes = Array("case_no,item_code,accepted_at,channel,applicant_name\nG1,SB001,2026-11-02 09:00,window,张三\n".utf8)
        // One line pasted in from a GBK file: 李四 in GBK.
        bytes += Array("G2,SB001,2026-11-02 10:00,window,".utf8) + [0xC0, 0xEE, 0xCB, 0xC4] + [0x0A]
        do {
            _ = try f.store.importCases(name: "mixed.csv", bytes: bytes, options: ImportOptions(now: StoreFixture.now))
            XCTFail("a file of two encodings must be refused")
        } catch let e as ImportRejected {
            XCTAssertEqual(e.issues.map(\.description), ["mixed.csv:3: encoding: the file mixes encodings: line 2 is UTF-8 but line 3 is not (GBK?); save the whole file in one encoding (UTF-8) and import it again"])
        }
        // A file wholly in GBK is still read as GBK.
        let gbk: [UInt8] = Array("case_no,item_code,accepted_at,channel,applicant_name\nG3,SB001,2026-11-02 09:00,window,".utf8) + [0xC0, 0xEE, 0xCB, 0xC4, 0x0A]
        XCTAssertEqual(try f.store.importCases(name: "gbk.csv", bytes: gbk, options: ImportOptions(now: StoreFixture.now)).new, 1)
        XCTAssertEqual(try f.store.fetchCase("G3")?.applicantName, "李四")
    }
}
