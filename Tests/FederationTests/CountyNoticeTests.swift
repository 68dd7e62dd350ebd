import Foundation
import SanjiCore
import SanjiTestSupport
import XCTest

/// The demo county's 通报 of the month, as its county prints it: the county's own template, window
/// rankings with 红旗窗口 across three levels, the service modes, 同比 and 本年累计, targets, every
/// figure also in the CSV, and staff figures only where the county lets them go.
final class CountyNoticeTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-cluster-notice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = try? CommandRunner.run(CommandRunner.sanjiBinary, ["cluster", "down", "--dir", data.path])
        try? FileManager.default.removeItem(at: work)
    }

    var data: URL { work.appendingPathComponent("data") }
    func dir(_ id: String) -> String { data.appendingPathComponent(id).path }

    @discardableResult
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try CommandRunner.run(CommandRunner.sanjiBinary, args)
        XCTAssertEqual(r.status, 0, "sanji \(args.joined(separator: " ")) failed:\n\(r.stderr)", file: file, line: line)
        return r.stdout
    }

    /// The CSV's value of (section, key, metric).
    func value(_ csv: String, _ section: String, _ key: String, _ metric: String) -> String? {
        let prefix = CSVWriter.line([section, key, metric, ""])
        return csv.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func testTheDemoCountysNotice() throws {
        let up = try ok(["cluster", "up", "nodes/huaiyuan", "--dir", data.path, "--heartbeat-ms", "200"])
        XCTAssertTrue(up.contains("15 nodes up"), up)
        let (county, township, village) = ("340321", "340321100", "340321100201")
        XCTAssertTrue(try ok(["window", "list", "--data", dir(village)]).contains("代办窗口"), "windows.csv reached the village")
        // Some 430 days at three levels: last year's month is there for 同比.
        for (i, id) in [county, township, village].enumerated() {
            try ok(["simulate", "--days", "430", "--cases-per-day", "6", "--seed", String(i + 1), "--data", dir(id)])
        }
        try ok(["cluster", "wait", "--dir", data.path, "--timeout", "120"])

        let month = String(Day(number: Int(Date().timeIntervalSince1970 + 8 * 3600) / 86_400).description.prefix(7))
        let csv = try ok(["report", "monthly", month, "--format", "csv", "--data", dir(county)])
        let html = try ok(["report", "monthly", month, "--format", "html", "--data", dir(county)])
        let md = try ok(["report", "monthly", month, "--data", dir(county)])

        // The county's own template (nodes/huaiyuan/report), copied by `cluster up`.
        XCTAssertTrue(html.contains("怀远县政务服务管理局") && html.contains("怀政务〔"), "the county's header")
        XCTAssertTrue(html.contains("各乡镇人民政府，县直各有关单位"), "the county's salutation")
        for section in ["总体情况", "帮办代办等服务情况", "年度目标完成情况", "乡镇排名（含所辖村（社区））", "窗口排名与红旗窗口", "差评整改", "工作要求"] {
            XCTAssertTrue(html.contains(section), "section \(section)")
        }
        XCTAssertTrue(html.contains("@page { size: A4"), "prints on A4")
        XCTAssertFalse(md.contains("节点") || md.contains("村社区"), "站点, 村（社区）: no program jargon")
        XCTAssertNil(md.range(of: "[0-9]pp", options: .regularExpression), "percentage points read 个百分点")
        XCTAssertNil(md.range(of: "截至 [0-9]{4}-", options: .regularExpression), "dates read 2026 年 11 月 25 日")
        XCTAssertTrue(md.contains("个百分点"))

        // Windows of all three levels, ranked at the county; a village window got there over two hops.
        XCTAssertNotNil(value(csv, "window", "\(village)/1", "rank"), "the village's window is ranked at the county")
        XCTAssertNotNil(value(csv, "window", "\(county)/4", "accepted"))
        XCTAssertTrue(csv.contains("\nhonor_window,"), "a 红旗窗口 list")
        XCTAssertTrue(html.contains("红旗窗口："))
        // Townships without activity: 无数据, not ranked.
        XCTAssertEqual(value(csv, "township", "340321101", "rank"), "no_data")
        XCTAssertTrue(html.contains("无数据（本月无办件和评价，不参与排名）"))
        // 同比 and 本年累计, and their figures in the CSV: the overview's 办件量 row reads what the CSV holds.
        let accepted = try XCTUnwrap(value(csv, "total", "", "accepted"))
        let lastYear = try XCTUnwrap(Int(try XCTUnwrap(value(csv, "same_month_last_year", "", "accepted"))))
        XCTAssertGreaterThan(lastYear, 0, "last year's month is there")
        let ytd = try XCTUnwrap(value(csv, "year_to_date", "", "accepted"))
        let row = try XCTUnwrap(md.split(separator: "\n").first { $0.hasPrefix("| 办件量 |") })
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(cells[1].replacingOccurrences(of: ",", with: ""), accepted)
        XCTAssertEqual(cells[4].replacingOccurrences(of: ",", with: ""), ytd)
        XCTAssertTrue(cells[3] == MonthlyReport.countChange(Int(accepted)!, lastYear, rounding: .halfUp), "同比 \(cells[3])")
        // The modes: 帮办代办服务 is its documented sum.
        let parts = ["mode_help", "mode_proxy", "mode_home", "consultations"].map { Int(value(csv, "total", "", $0) ?? "") ?? -1 }
        XCTAssertEqual(Int(value(csv, "total", "", "assistance_services") ?? ""), parts.reduce(0, +))
        XCTAssertGreaterThan(parts.reduce(0, +), 0)
        // targets.csv's targets, with progress beside 时间进度.
        XCTAssertNotNil(value(csv, "target", "level:county", "share"))
        XCTAssertTrue(html.contains("时间进度"))

        // Staff figures stayed at their stations; once the county lets them travel, the village's arrive.
        XCTAssertFalse(csv.contains("\nstaff,\(township)/"), "a township's staff stay home by default")
        XCTAssertTrue(try ok(["report", "monthly", month, "--format", "csv", "--data", dir(township)]).contains("\nstaff,\(township)/"),
                      "a station sees its own staff")
        try ok(["catalog", "settings", "--staff-figures", "county", "--data", dir(county)])
        let deadline = Date().addingTimeInterval(60)
        var arrived = false
        while !arrived, Date() < deadline {
            arrived = try ok(["report", "monthly", month, "--format", "csv", "--data", dir(county)]).contains("\nstaff,\(township)/")
            if !arrived { usleep(200_000) }
        }
        XCTAssertTrue(arrived, "the township's staff rows reach the county within 60 s of the setting")
    }

    func testThePDF_orAClearMessageWhereNoChromiumIs() throws {
        try ok(["init", "--id", "340321", "--name", "怀远县政务服务中心", "--level", "county", "--data", dir("c")])
        try ok(["catalog", "import", "nodes/huaiyuan/items.csv", "--data", dir("c")])
        try ok(["window", "add", "1", "--data", dir("c")])
        try ok(["simulate", "--days", "40", "--cases-per-day", "5", "--data", dir("c")])
        let month = String(Day(number: Int(Date().timeIntervalSince1970 + 8 * 3600) / 86_400).description.prefix(7))
        let pdf = work.appendingPathComponent("通报.pdf").path
        let hasChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        let r = try CommandRunner.run(CommandRunner.sanjiBinary, ["report", "monthly", month, "--format", "pdf", "--out", pdf, "--doc-number", "怀政务〔2026〕45号",
                                                                  "--data", dir("c")])
        if hasChromium {
            XCTAssertEqual(r.status, 0, r.stderr)
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: pdf))
            XCTAssertEqual(Array(bytes.prefix(5)), Array("%PDF-".utf8))
            XCTAssertGreaterThanOrEqual(bytes.count, 20_000, "a document of some pages, not an empty one")
        } else {
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.stderr.contains("needs headless Chromium") && r.stderr.contains("--format html"), r.stderr)
            throw XCTSkip("no Chromium here: the PDF itself was not made (scripts/test.sh installs chromium when run as root)")
        }
        // The template the county edits: `report template` writes it, `report monthly` uses it.
        try ok(["report", "template", "--data", dir("c")])
        let template = URL(fileURLWithPath: dir("c")).appendingPathComponent("report/monthly.md.mustache")
        try (try String(contentsOf: template, encoding: .utf8)).replacingOccurrences(of: "各乡镇为民服务中心", with: "各位同志")
            .write(to: template, atomically: true, encoding: .utf8)
        XCTAssertTrue(try ok(["report", "monthly", month, "--data", dir("c")]).contains("各位同志"))
        let again = try ok(["report", "template", "--data", dir("c")])
        XCTAssertTrue(again.contains("kept"), "an edited template is never overwritten without --force")
    }
}
