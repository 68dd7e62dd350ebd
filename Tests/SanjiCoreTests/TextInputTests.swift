import Foundation
import XCTest
@testable import SanjiCore

final class TextInputTests: XCTestCase {
    func records(_ s: String) -> ([CSVReader.Record], CSVReader.SyntaxError?) {
        var r = CSVReader(bytes: Array(s.utf8))
        var out: [CSVReader.Record] = []
        while let x = r.next() { out.append(x) }
        return (out, r.error)
    }

    func testCSV_quotesEscapesLineBreaksAndLineNumbers() {
        let (rows, error) = records("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\n\n\"two\nlines\",q,\nlast,,")
        XCTAssertNil(error)
        XCTAssertEqual(rows.map(\.fields), [["a", "b", "c"], ["x,1", "say \"hi\"", ""], ["two\nlines", "q", ""], ["last", "", ""]])
        XCTAssertEqual(rows.map(\.line), [1, 2, 4, 6])
    }

    func testCSV_anUnclosedQuoteIsAnErrorWithItsLine() {
        let (rows, error) = records("a,b\n1,2\n3,\"oops\n4,5\n")
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(error?.line, 3)
    }

    func fixture(_ name: String) throws -> [UInt8] {
        let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
        return [UInt8](try Data(contentsOf: url))
    }

    func testGBKFromExcel_isDetectedAndDecoded() throws {
        let gbk = try fixture("items-gbk.csv")
        XCTAssertFalse(TextDecoder.isValidUTF8(gbk))
        let (utf8, used) = try TextDecoder.utf8(from: gbk)
        XCTAssertEqual(used, .gb18030)
        let bom = try fixture("items-utf8-bom.csv")
        let (fromBOM, usedBOM) = try TextDecoder.utf8(from: bom)
        XCTAssertEqual(usedBOM, .utf8)
        XCTAssertEqual(utf8, fromBOM)
        XCTAssertTrue(String(decoding: utf8, as: UTF8.self).contains("城乡居民基本养老保险参保登记"))
        XCTAssertThrowsError(try TextDecoder.utf8(from: gbk, encoding: .utf8))
    }

    func testCSVFile_checksTheHeaderContract() throws {
        let cols = ["a", "b"]
        XCTAssertNoThrow(try CSVFile(name: "f.csv", bytes: Array("b,a\n1,2\n".utf8), required: cols))
        do {
            _ = try CSVFile(name: "f.csv", bytes: Array("a,bb,c\n".utf8), required: cols)
            XCTFail("expected rejection")
        } catch {
            let text = error.issues.map(\.description)
            XCTAssertTrue(text.contains { $0.hasPrefix("f.csv:1: bb: unknown column (did you mean \"b\"?)") }, "\(text)")
            XCTAssertTrue(text.contains("f.csv:1: b: required column is missing from the header"), "\(text)")
        }
        XCTAssertNoThrow(try CSVFile(name: "f.csv", bytes: Array("a,b,c\n".utf8), required: cols, ignoreExtra: true))
    }

    func testSuggestions_nameTheClosestCodes() {
        let codes = ["11340321MB1234567X4000117001", "11340321MB1234567X4000117002", "AAA"]
        XCTAssertEqual(Suggestions.closest(to: "11340321MB1234567X4000117009", in: codes, limit: 2),
                       ["11340321MB1234567X4000117001", "11340321MB1234567X4000117002"])
        XCTAssertEqual(Suggestions.closest(to: "ZZZZZZZZ", in: codes), [])
    }

    func testMerge_anOlderExportNeverReopensACase_andIdentityConflictsAreRefused() {
        let z = ZoneRule.shanghai
        let open = CaseRecord(caseNo: "1", itemCode: "X", acceptedAt: z.parse("2026-11-02 10:00")!, channel: .window, assisted: false, deadline: Day("2026-11-04")!)
        var done = open
        done.completedAt = z.parse("2026-11-03 10:00")
        done.outcome = .approved
        done.visits = 1
        XCTAssertEqual(CaseRecord.merge(existing: open, incoming: done, zone: z), .update(done))
        XCTAssertEqual(CaseRecord.merge(existing: done, incoming: open, zone: z), .unchanged)
        XCTAssertEqual(CaseRecord.merge(existing: done, incoming: done, zone: z), .unchanged)
        var other = open
        other.itemCode = "Y"
        guard case .conflict(let field, _) = CaseRecord.merge(existing: open, incoming: other, zone: z) else { return XCTFail() }
        XCTAssertEqual(field, "item_code")
    }
}
