import Foundation
import SanjiSpawn
import SanjiTestSupport
import XCTest

/// `sanji cluster`, the compose file, backups and logs: a deployment as an IT officer runs it.
final class ClusterTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-cluster-\(UUID().uuidString)")
        let topo = work.appendingPathComponent("topo")
        try FileManager.default.createDirectory(at: topo, withIntermediateDirectories: true)
        for f in ["items.csv", "calendar-2026.csv"] {
            try FileManager.default.copyItem(at: CommandRunner.repoRoot.appendingPathComponent("nodes/huaiyuan/\(f)"), to: topo.appendingPathComponent(f))
        }
        try """
            id,name,level,parent,port
            340321,怀远县政务服务中心,county,,7701
            340321100,城关镇为民服务中心,township,340321,7702
            340321100201,东门社区代办站,village,340321100,
            340321100202,西园村代办站,village,340321100,
            """.write(to: topo.appendingPathComponent("topology.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        _ = try? sanji(["cluster", "down", "--dir", data.path])
        try? FileManager.default.removeItem(at: work)
    }

    var data: URL { work.appendingPathComponent("data") }
    var topo: String { work.appendingPathComponent("topo").path }

    @discardableResult
    func sanji(_ args: [String]) throws -> CommandRunner.Result { try CommandRunner.run(CommandRunner.sanjiBinary, args) }

    @discardableResult
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try sanji(args)
        XCTAssertEqual(r.status, 0, "sanji \(args.joined(separator: " ")) failed:\n\(r.stderr)", file: file, line: line)
        return r.stdout
    }

    func counts(_ node: String, level: String?) throws -> [String: Int] {
        let text = try ok(["dashboard", "--from", "2000-01-01", "--to", "2099-12-31", "--format", "json", "--data", data.appendingPathComponent(node).path])
        let d = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        let scope = level.map { l in (d["levels"] as? [[String: Any]] ?? []).first { $0["level"] as? String == l } ?? [:] } ?? (d["total"] as? [String: Any] ?? [:])
        var out: [String: Int] = [:]
        for k in ["accepted", "completed", "evaluations", "bad_reviews", "bad_rectified", "nodes", "nodes_reporting"] { out[k] = scope[k] as? Int }
        return out
    }

    func serveProcesses() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }.filter { pid in
            guard let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: cmd, as: UTF8.self).contains(self.data.path)
        }.count
    }

    func testClusterUp_offlineStation_wait_down() throws {
        let up = try ok(["cluster", "up", topo, "--dir", data.path, "--heartbeat-ms", "200"])
        XCTAssertTrue(up.contains("4 nodes up, every one at catalogue sequence 2"), up)
        XCTAssertEqual(try serveProcesses(), 4)
        let (v1, v2) = ("340321100201", "340321100202")
        try ok(["simulate", "--days", "10", "--seed", "1", "--data", data.appendingPathComponent(v1).path])
        try ok(["cluster", "stop", v2, "--dir", data.path])
        try ok(["simulate", "--days", "10", "--seed", "2", "--data", data.appendingPathComponent(v2).path])
        try ok(["cluster", "start", v2, "--dir", data.path, "--heartbeat-ms", "200"])
        let waited = try sanji(["cluster", "wait", "--dir", data.path, "--timeout", "60", "--progress"])
        XCTAssertEqual(waited.status, 0, waited.stderr)
        XCTAssertTrue(waited.stderr.contains("caught up: 3 of 3 stations  100 %"), waited.stderr)
        let status = try ok(["cluster", "status", "--dir", data.path])
        XCTAssertEqual(status.components(separatedBy: "running").count - 1, 4, status)

        var villages: [String: Int] = [:]
        for v in [v1, v2] { villages.merge(try counts(v, level: "village")) { $0 + $1 } }
        let county = try counts("340321", level: "village")
        for k in ["accepted", "completed", "evaluations", "bad_reviews", "bad_rectified"] { XCTAssertEqual(county[k], villages[k], k) }
        XCTAssertGreaterThan(villages["accepted"] ?? 0, 50)
        XCTAssertEqual(try counts("340321", level: nil)["nodes_reporting"], 4)

        // A running station's store is backed up consistently, keys included.
        let backup = work.appendingPathComponent("backup").path
        XCTAssertTrue(try ok(["backup", "--out", backup, "--data", data.appendingPathComponent("340321100").path]).contains("integrity check ok"))
        XCTAssertEqual(try ok(["keys", "show", "--data", backup]), try ok(["keys", "show", "--data", data.appendingPathComponent("340321100").path]))
        XCTAssertNotEqual(try sanji(["backup", "--out", backup, "--data", data.appendingPathComponent("340321100").path]).status, 0, "never over an earlier backup")

        XCTAssertTrue(try ok(["cluster", "down", "--dir", data.path]).contains("stopped 4 node(s)"))
        XCTAssertEqual(try serveProcesses(), 0)
        let unhealthy = try sanji(["status", "--check", "--data", data.appendingPathComponent("340321").path])
        XCTAssertEqual(unhealthy.status, 1)

        // Up again: nothing is initialised twice, everything starts.
        let again = try ok(["cluster", "up", topo, "--dir", data.path, "--heartbeat-ms", "200"])
        XCTAssertFalse(again.contains("initialised"), again)
        XCTAssertEqual(try serveProcesses(), 4)
        // The healthcheck turns healthy once the village's link is up again.
        let deadline = Date().addingTimeInterval(20)
        var healthy = false
        while !healthy, Date() < deadline {
            healthy = try sanji(["status", "--check", "--data", data.appendingPathComponent(v1).path]).status == 0
            if !healthy { usleep(100_000) }
        }
        XCTAssertTrue(healthy, "the village reports healthy within 20 s of cluster up")
    }

    func testTheComposeFileMatchesTheTopology_andDockerComposeAcceptsIt() throws {
        let committed = try String(contentsOf: CommandRunner.repoRoot.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        XCTAssertEqual(try ok(["cluster", "compose", "nodes/huaiyuan"]), committed,
                       "docker-compose.yml is stale: run `sanji cluster compose nodes/huaiyuan > docker-compose.yml`")
        let topology = try String(contentsOf: CommandRunner.repoRoot.appendingPathComponent("nodes/huaiyuan/topology.csv"), encoding: .utf8)
        let rows = topology.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.count, 15)
        for r in rows {
            let (id, parent) = (r[0], r[3])
            XCTAssertTrue(committed.contains("\n  node-\(id):\n"), "service for \(id)")
            XCTAssertTrue(committed.contains("      - node-\(id):/var/lib/sanji\n"), "own volume for \(id)")
            XCTAssertTrue(committed.contains("      - node-\(id):/provision/\(id)\n"), "provisioned volume for \(id)")
            XCTAssertTrue(committed.contains("\n  node-\(id): {}\n"), "declared volume for \(id)")
            if !parent.isEmpty {
                let service = committed.components(separatedBy: "\n  node-\(id):\n")[1].components(separatedBy: "\n\n")[0]
                XCTAssertTrue(service.contains("node-\(parent):\n        condition: service_started"), "\(id) starts after its parent \(parent)")
            }
        }
        XCTAssertTrue(committed.contains("\"7701:7701\""), "the county's port is published")
        XCTAssertEqual(committed.components(separatedBy: "build: .").count - 1, 1, "compose builds the image once (the provision service)")
        XCTAssertTrue(committed.contains("pull_policy: never"), "the stations use the image built here, never Docker Hub")
        XCTAssertTrue(committed.contains("\"--log-format\", \"json\""), "containers log JSON lines")
        let check = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/docker-compose"), ["-f", "docker-compose.yml", "config", "-q"])
        XCTAssertEqual(check.status, 0, check.stderr)
    }

    func testTopologyErrorsNameTheLineAndField() throws {
        try """
            id,name,level,parent,port
            340321,县,county,,7701
            340321100,镇,village,340321,
            340321100201,村,township,340321100,
            340321999,孤,township,999,
            """.write(toFile: topo + "/topology.csv", atomically: true, encoding: .utf8)
        let r = try sanji(["cluster", "up", topo, "--dir", data.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("topology.csv:4: level: township is not below its parent's level (village)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("topology.csv:4: parent: 340321100 has children, so its row needs a port"), r.stderr)
        XCTAssertTrue(r.stderr.contains("topology.csv:5: parent: no node 999 in the topology"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: data.path), "a rejected topology creates nothing")
    }

    func testServeLogsJSONLinesWithTheNodeId() throws {
        try ok(["cluster", "up", topo, "--dir", data.path, "--heartbeat-ms", "200"])
        try ok(["cluster", "down", "--dir", data.path])
        let node = data.appendingPathComponent("340321100201").path
        let log = work.appendingPathComponent("json.log")
        let pid = try Spawn.start(CommandRunner.sanjiBinary.path, ["serve", "--data", node, "--log-format", "json"],
                                  Spawn.Options(stdout: .null, stderr: .file(log.path, append: false)))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("\"serving\"") { usleep(50_000) }
        kill(pid, SIGTERM)
        Spawn.wait(pid)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 1)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(object?["node.id"] as? String, "340321100201", String(line))
            XCTAssertNotNil(object?["level"])
        }
        XCTAssertTrue(lines.contains { $0.contains("\"message\":\"stopped\"") }, "SIGTERM stops it cleanly")
    }
}
