import Foundation
import SanjiTestSupport
import XCTest

/// The county dashboard and monthly report over a small federation whose figures are known by construction.
final class DashboardFederationTests: XCTestCase {
    let (county, township, villageA, villageB) = ("340321", "340321100", "340321100201", "340321100202")

    func testFiguresKnownByConstruction_inDashboardJSONAndCSV_andTheMonthlyReport_andAStaleNode() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        try fed.add(county, level: "county")
        try fed.ok(["catalog", "import", "nodes/huaiyuan/items.csv"], node: county)
        try fed.ok(["calendar", "import", "nodes/huaiyuan/calendar-2026.csv"], node: county)
        try fed.start(county)
        try fed.add(township, level: "township", parent: county)
        try fed.start(township)
        for v in [villageA, villageB] {
            try fed.add(v, level: "village", parent: township, listens: false)
            try fed.start(v)
        }
        for id in [township, villageA, villageB] {
            try fed.waitUntil("\(id) holds the catalogue", timeout: 30) { try fed.json(["status"], node: id)["catalog_sequence"] as? Int == 2 }
        }
        // An immediate (即办) item every level handles: due the day it is accepted.
        let items = try JSONSerialization.jsonObject(with: Data(try fed.ok(["catalog", "list", "--level", "village", "--format", "json"], node: county).utf8)) as! [[String: Any]]
        let item = items.first { $0["promised_days"] as? Int == 0 && ($0["levels"] as? [String]) == ["county", "township", "village"] }!["code"] as! String
        let header = "case_no,item_code,accepted_at,channel,completed_at,outcome,visits\n"
        func cases(_ node: String, _ rows: [String]) throws {
            let path = fed.root.appendingPathComponent("\(node)-cases.csv").path
            try (header + rows.map { $0.replacingOccurrences(of: "ITEM", with: item) }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try fed.ok(["import", "cases", path], node: node)
        }
        // Village A: 6 on time, 2 online completed a day late, 2 open → 10 accepted, 8 completed, 6 on time, 2 online.
        try cases(villageA, (1...6).map { "A\($0),ITEM,2026-10-12 09:00,window,2026-10-12 10:00,approved,1" }
            + (7...8).map { "A\($0),ITEM,2026-10-13 09:00,mobile,2026-10-14 10:00,approved,0" }
            + (9...10).map { "A\($0),ITEM,2026-10-15 09:00,window,,," })
        // Village B: 5 on time; the township: 3 on time; the county: 2 open.
        try cases(villageB, (1...5).map { "B\($0),ITEM,2026-10-20 09:00,window,2026-10-20 11:00,approved,1" })
        try cases(township, (1...3).map { "T\($0),ITEM,2026-10-21 09:00,window,2026-10-21 09:30,approved,1" })
        try cases(county, (1...2).map { "C\($0),ITEM,2026-10-22 09:00,window,,," })
        let evals = fed.root.appendingPathComponent("evals.csv").path
        try """
            eval_id,case_no,grade,channel,evaluated_at,rectified_at,revisited_at,revisit_grade
            EA1,A1,满意,device,2026-10-12 10:05,,,
            EA2,A2,满意,device,2026-10-12 10:05,,,
            EA3,A3,满意,device,2026-10-12 10:05,,,
            EA4,A4,不满意,device,2026-10-12 10:05,2026-10-13 10:00,,

            """.write(toFile: evals, atomically: true, encoding: .utf8)
        try fed.ok(["import", "evals", evals], node: villageA)

        // Wait until the county has it all, then compare with what was built.
        let october = ["dashboard", "--month", "2026-10", "--by", "township"]
        var d: [String: Any] = [:]
        try fed.waitUntil("the county has every node's October", timeout: 60) {
            d = try fed.json(october, node: self.county)
            return (d["total"] as? [String: Any])?["accepted"] as? Int == 20 && (d["total"] as? [String: Any])?["evaluations"] as? Int == 4
        }
        let total = d["total"] as! [String: Any]
        XCTAssertEqual(total["completed"] as? Int, 16)
        XCTAssertEqual(total["on_time_rate"] as! Double, 14.0 / 16.0, accuracy: 1e-12)
        XCTAssertEqual(total["online_share"] as! Double, 2.0 / 20.0, accuracy: 1e-12)
        XCTAssertEqual(total["bad_reviews"] as? Int, 1)
        XCTAssertEqual(total["bad_rectified"] as? Int, 1)
        XCTAssertEqual(total["satisfaction_rate"] as? Double, 0.75)
        let levels = Dictionary(uniqueKeysWithValues: (d["levels"] as! [[String: Any]]).map { ($0["level"] as! String, $0) })
        XCTAssertEqual(levels["county"]?["accepted"] as? Int, 2)
        XCTAssertEqual(levels["township"]?["accepted"] as? Int, 3, "the township centre's own cases, never its villages'")
        XCTAssertEqual(levels["village"]?["accepted"] as? Int, 15)
        XCTAssertEqual(levels["village"]?["completed"] as? Int, 13)
        let rows = Dictionary(uniqueKeysWithValues: ((d["breakdown"] as! [String: Any])["rows"] as! [[String: Any]]).map { ($0["key"] as! String, $0) })
        XCTAssertEqual(rows[township]?["accepted"] as? Int, 18, "the township rolled up with its villages")
        XCTAssertEqual(rows[township]?["nodes"] as? Int, 3)
        XCTAssertEqual(rows[villageA]?["accepted"] as? Int, 10)
        XCTAssertEqual(rows[villageA]?["depth"] as? Int, 1)
        let csv = try fed.ok(october + ["--format", "csv"], node: county)
        for line in ["cases,total,accepted,20", "cases,village,completed,13", "cases,township,accepted,3", "by_township,\(township),accepted,18",
                     "by_township,\(villageB),completed,5", "cases,total,on_time_rate,0.875"] {
            XCTAssertTrue(csv.contains(line + "\n"), "missing \(line) in\n\(csv)")
        }
        let report = try fed.ok(["report", "monthly", "2026-10", "--format", "csv"], node: county)
        for line in ["total,,accepted,20", "township,\(township),accepted,18", "township,\(township),rank_accepted,1",
                     "previous_month,,accepted,0", "level,village,accepted,15", "meta,,nodes_reporting,4"] {
            XCTAssertTrue(report.contains(line + "\n"), "missing \(line) in\n\(report)")
        }
        let html = try fed.ok(["report", "monthly", "2026-10", "--format", "html"], node: county)
        XCTAssertTrue(html.contains("窗口工作月度通报（2026年10月）") && html.contains("<svg"))

        // A station that stops reporting is shown stale, never counted as reporting.
        fed.stop(villageB, hard: false)
        try fed.waitUntil("the county shows the stopped village as stale", timeout: 30) {
            let s = try fed.json(["dashboard", "--month", "2026-10", "--stale", "4s"], node: self.county)
            let stale = ((s["attention"] as? [String: Any])?["stale"] as? [[String: Any]])?.map { $0["id"] as? String }
            return stale == [self.villageB] && (s["total"] as? [String: Any])?["nodes_reporting"] as? Int == 3
                && (s["total"] as? [String: Any])?["nodes"] as? Int == 4
        }
        let table = try fed.ok(["dashboard", "--month", "2026-10", "--stale", "4s"], node: county)
        XCTAssertTrue(table.contains("未报送  \(villageB)"), table)
        XCTAssertTrue(table.contains("报送情况 3/4"), table)
    }

    func testWatchRefreshesInPlace_andQLeaves() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed: it gives this test a terminal (scripts/test.sh installs it; apt-get install tmux)")
        }
        let fed = try Federation()
        defer { fed.shutdown() }
        try fed.add(county, level: "county", listens: false)
        try fed.ok(["catalog", "import", "nodes/huaiyuan/items.csv"], node: county)
        let session = "sanji-watch-\(getpid())"
        let tmux = URL(fileURLWithPath: "/usr/bin/tmux")
        let dir = fed.nodes[county]!.dir.path
        XCTAssertEqual(try CommandRunner.run(tmux, ["new-session", "-d", "-s", session, "-x", "200", "-y", "60",
                                                    "\(CommandRunner.sanjiBinary.path) dashboard --watch 1 --data \(dir)"]).status, 0)
        defer { _ = try? CommandRunner.run(tmux, ["kill-session", "-t", session]) }
        func screen() throws -> String { try CommandRunner.run(tmux, ["capture-pane", "-p", "-t", session]).stdout }
        try fed.waitUntil("the dashboard is on screen", timeout: 20) { try screen().contains("事项目录") && screen().contains("q: quit") }
        // A case recorded now appears at the next refresh, in place.
        let item = try JSONSerialization.jsonObject(with: Data(try fed.ok(["catalog", "list", "--level", "county", "--format", "json"], node: county).utf8)) as! [[String: Any]]
        try fed.ok(["case", "accept", "--case-no", "W1", "--item", item[0]["code"] as! String], node: county)
        try fed.waitUntil("the refresh shows the new case", timeout: 20) {
            try screen().split(separator: "\n").contains { $0.contains("合计") && $0.contains("       1") }
        }
        XCTAssertEqual(try screen().components(separatedBy: "事项目录").count - 1, 1, "redrawn in place, not scrolled")
        _ = try CommandRunner.run(tmux, ["send-keys", "-t", session, "q"])
        try fed.waitUntil("q leaves", timeout: 10) { try CommandRunner.run(tmux, ["has-session", "-t", session]).status != 0 }
    }
}
