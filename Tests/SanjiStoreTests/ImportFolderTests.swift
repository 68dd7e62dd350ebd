import Foundation
import SanjiCore
import XCTest
@testable import SanjiStore

/// `serve --import-dir`'s folder, look by look: a file is imported only once it stopped growing,
/// all or nothing, moved to done/ or to failed/ with its problems beside it; a re-delivery
/// changes nothing.
final class ImportFolderTests: XCTestCase {
    let header = "case_no,item_code,accepted_at,channel\n"

    func testFilesAreImportedOnceTheyStopGrowing_rejectedOnesKeepTheirProblems_andRedeliveryChangesNothing() throws {
        let f = try StoreFixture()
        let dir = f.directory.deletingLastPathComponent().appendingPathComponent("drop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try ImportFolder(store: f.store, directory: dir, options: ImportOptions(now: StoreFixture.now))
        func put(_ name: String, _ text: String) throws { try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8) }
        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: dir.appendingPathComponent(path).path) }
        func cases() throws -> Int { try f.store.exportCases().count }

        // Growing: half a file, then the rest; imported only after a look that saw it unchanged.
        try put("cases.csv", header + "A1,SB001,2026-11-02 09:00,网上\n")
        XCTAssertEqual(folder.scan(), [], "first seen: wait")
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("cases.csv"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("A2,SB001,2026-11-03 09:00,网上\n".utf8))
        try handle.close()
        XCTAssertEqual(folder.scan(), [], "it grew since: wait")
        XCTAssertEqual(try cases(), 0)
        XCTAssertEqual(folder.scan(), [.imported(file: "cases.csv", report: "2 rows: 2 new, 0 updated, 0 unchanged")])
        XCTAssertTrue(exists("done/cases.csv"))
        XCTAssertFalse(exists("cases.csv"))
        XCTAssertEqual(try cases(), 2)

        // Rejected: nothing of it is imported; its problems lie beside it; the dashboard names it.
        try put("bad.csv", header + "B1,SB001,2026-11-02 09:00,网上\nB2,NOPE,2026-11-02 09:00,网上\n")
        _ = folder.scan()
        XCTAssertEqual(folder.scan(), [.failed(file: "bad.csv", problems: 1)])
        XCTAssertEqual(try cases(), 2, "all or nothing")
        XCTAssertTrue(exists("failed/bad.csv"))
        let errors = try String(contentsOf: dir.appendingPathComponent("failed/bad.csv.errors.txt"), encoding: .utf8)
        XCTAssertTrue(errors.contains("bad.csv:3: item_code: no item NOPE"), errors)
        XCTAssertEqual(try f.store.failedImports().map { URL(fileURLWithPath: $0.file).lastPathComponent }, ["bad.csv"])

        // Re-delivered: the same rows, unchanged; the copy goes to done/ under a new name.
        try put("cases.csv", header + "A1,SB001,2026-11-02 09:00,网上\nA2,SB001,2026-11-03 09:00,网上\n")
        _ = folder.scan()
        XCTAssertEqual(folder.scan(), [.imported(file: "cases.csv", report: "2 rows: 0 new, 0 updated, 2 unchanged")])
        XCTAssertTrue(exists("done/cases.2.csv"))
        XCTAssertEqual(try cases(), 2)

        // A UTF-16 export (with its BOM) is known by its header too.
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(("eval_id,case_no,grade,channel,evaluated_at\r\nE1,A1,满意,online,2026-11-02 10:00\r\n").data(using: .utf16LittleEndian)!)
        try utf16.write(to: dir.appendingPathComponent("evals-utf16.csv"))
        _ = folder.scan()
        XCTAssertEqual(folder.scan(), [.imported(file: "evals-utf16.csv", report: "1 rows: 1 new, 0 updated, 0 unchanged")])

        // A file serve was importing when it stopped is looked at again by the next serve.
        try (header + "A3,SB001,2026-11-04 09:00,网上\n").write(to: dir.appendingPathComponent("processing/late.csv"), atomically: false, encoding: .utf8)
        let restarted = try ImportFolder(store: f.store, directory: dir, options: ImportOptions(now: StoreFixture.now))
        XCTAssertTrue(exists("late.csv"))
        _ = restarted.scan()
        XCTAssertEqual(restarted.scan(), [.imported(file: "late.csv", report: "1 rows: 1 new, 0 updated, 0 unchanged")])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("processing").path), [])

        // A file whose header is for no import fails, and says why.
        try put("other.csv", "name,phone\n张三,123\n")
        _ = folder.scan()
        XCTAssertEqual(folder.scan(), [.failed(file: "other.csv", problems: 1)])
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("failed/other.csv.errors.txt"), encoding: .utf8).contains("other.csv:1: header"))
    }
}
