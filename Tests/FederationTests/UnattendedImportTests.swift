import Foundation
import SanjiTestSupport
import XCTest

/// A station imports the exports dropped into its folder with no one at a shell: `sanji serve
/// --import-dir`, a real process, a good file and a bad one, and the dashboard naming the bad one.
final class UnattendedImportTests: XCTestCase {
    func testServeImportsWhatIsDropped_andTheDashboardNamesWhatFailed() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        let county = "340321"
        try fed.add(county, level: "county", listens: false)
        try fed.ok(["catalog", "import", Federation.repoRoot.appendingPathComponent("nodes/huaiyuan/items.csv").path], node: county)
        let item = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(try fed.ok(["catalog", "list", "--level", "county", "--format", "json"], node: county).utf8))
            as? [[String: Any]])?.first?["code"] as? String)
        let drop = fed.root.appendingPathComponent("drop")
        try FileManager.default.createDirectory(at: drop, withIntermediateDirectories: true)
        try fed.start(county, arguments: ["--import-dir", drop.path, "--import-scan-ms", "100"])

        let header = "case_no,item_code,accepted_at,channel\n"
        try (header + "2026110001,\(item),2026-11-02 09:00,网上\n2026110002,\(item),2026-11-02 10:00,窗口\n")
            .write(to: drop.appendingPathComponent("cases-1102.csv"), atomically: true, encoding: .utf8)
        try (header + "2026110003,NOPE,2026-11-02 09:00,网上\n").write(to: drop.appendingPathComponent("cases-bad.csv"), atomically: true, encoding: .utf8)
        let done = drop.appendingPathComponent("done/cases-1102.csv").path, failed = drop.appendingPathComponent("failed/cases-bad.csv").path
        try fed.waitUntil("both files were taken", timeout: 30) {
            FileManager.default.fileExists(atPath: done) && FileManager.default.fileExists(atPath: failed)
        }
        XCTAssertTrue(try String(contentsOfFile: failed + ".errors.txt", encoding: .utf8).contains("cases-bad.csv:2: item_code: no item NOPE"))
        let dashboard = try fed.json(["dashboard", "--from", "2026-11-01", "--to", "2026-11-30"], node: county)
        let attention = try XCTUnwrap(dashboard["attention"] as? [String: Any])
        XCTAssertEqual((attention["failed_imports"] as? [[String: Any]])?.compactMap { $0["file"] as? String }, [failed])
        let table = try fed.ok(["dashboard", "--from", "2026-11-01", "--to", "2026-11-30"], node: county)
        XCTAssertTrue(table.contains("导入失败  \(failed)"), table)
        XCTAssertTrue(try fed.ok(["case", "show", "2026110002"], node: county).contains("2026110002"))
        XCTAssertNotEqual(try fed.sanji(["case", "show", "2026110003"], node: county).status, 0, "nothing of the rejected file")
        fed.stop(county, hard: false)
        XCTAssertEqual(fed.exited(county), 0, "a clean stop, the watcher with it:\n\(fed.log(county))")
    }
}
