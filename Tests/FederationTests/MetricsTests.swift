import Foundation
import SanjiSpawn
import SanjiTestSupport
import XCTest

/// `serve --metrics-file` writes what county IT watches with (link state, backlog, last heard per
/// child, rows applied, refusals, store size, catalogue sequence, clock skew), and a real
/// prometheus-node-exporter serves it from its textfile directory.
final class MetricsTests: XCTestCase {
    func testTheMetricsFile_isScrapedByNodeExporter() throws {
        let exporter = "/usr/bin/prometheus-node-exporter"
        guard FileManager.default.isExecutableFile(atPath: exporter) else {
            throw XCTSkip("prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter; scripts/test.sh does)")
        }
        let fed = try Federation()
        defer { fed.shutdown() }
        let (county, village) = ("340321", "340321100201")
        let textfiles = fed.root.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: textfiles, withIntermediateDirectories: true)
        func metrics(_ name: String) -> [String] { ["--metrics-file", textfiles.appendingPathComponent("\(name).prom").path, "--metrics-ms", "200"] }
        try fed.add(county, level: "county")
        try fed.start(county, arguments: metrics("county"))
        try fed.add(village, level: "village", parent: county, listens: false)
        try fed.start(village, arguments: metrics("village"))

        let countyFile = textfiles.appendingPathComponent("county.prom")
        try fed.waitUntil("the county's metrics show the village connected", timeout: 30) {
            let text = (try? String(contentsOf: countyFile, encoding: .utf8)) ?? ""
            return text.contains("sanji_child_connected{node_id=\"\(county)\",child=\"\(village)\"} 1")
        }

        let port = try XCTUnwrap(Spawn.freeLoopbackPort())
        let pid = try Spawn.start(exporter, ["--collector.disable-defaults", "--collector.textfile", "--collector.textfile.directory=\(textfiles.path)",
                                             "--web.listen-address=127.0.0.1:\(port)"],
                                  Spawn.Options(stdout: .file(fed.root.appendingPathComponent("node-exporter.log").path, append: true), stderrToStdout: true))
        defer {
            kill(pid, SIGTERM)
            Spawn.wait(pid)
        }
        var scraped = ""
        try fed.waitUntil("node_exporter serves the village's link as up", timeout: 30) {
            let r = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "http://127.0.0.1:\(port)/metrics"])
            scraped = r.stdout
            return scraped.contains("sanji_parent_link_up{node_id=\"\(village)\"} 1")
        }
        XCTAssertTrue(scraped.contains("node_textfile_scrape_error 0"), "both files parsed:\n\(scraped.suffix(2000))")
        // node_exporter orders labels by name.
        XCTAssertTrue(scraped.contains("sanji_child_last_heard_timestamp_seconds{child=\"\(village)\",node_id=\"\(county)\"}"), scraped)
        XCTAssertTrue(scraped.contains("sanji_backlog_rows{node_id=\"\(village)\"}"), scraped)
        XCTAssertTrue(scraped.contains("sanji_info{level=\"village\",node_id=\"\(village)\""), scraped)
        for name in ["sanji_rows_applied_total", "sanji_refusals_total", "sanji_store_bytes", "sanji_catalog_sequence", "sanji_clock_skew_seconds"] {
            XCTAssertTrue(scraped.contains(name), "\(name) is served")
        }
        let villageText = try String(contentsOf: textfiles.appendingPathComponent("village.prom"), encoding: .utf8)
        let bytes = villageText.split(separator: "\n").first { $0.hasPrefix("sanji_store_bytes") }.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
        XCTAssertGreaterThan(bytes, 4096, "the store's size is its files'")
        let mode = try FileManager.default.attributesOfItem(atPath: textfiles.appendingPathComponent("village.prom").path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o644, "readable by node_exporter's own user")
    }
}
