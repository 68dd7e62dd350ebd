import Foundation
import SanjiSpawn
import SanjiTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A county of real `sanji` processes on loopback, each with its own data directory, for
/// integration tests. Every wait is on a condition with a deadline; nothing sleeps to synchronise.
struct TimedOut: Error {
    let what: String
}

final class Federation {
    struct Node {
        let id: String
        let level: String
        let dir: URL
        /// The running `sanji serve`, if any.
        var pid: pid_t?
        /// How it ended, once it has (reaped by `exited`).
        var exitStatus: Int32?
    }

    let root: URL
    private(set) var nodes: [String: Node] = [:]
    /// Faster than production (1 s) so that expiry and reconnects take about a second.
    var heartbeatMs = 200

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-fed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { shutdown() }

    func shutdown() {
        for id in nodes.keys where exited(id) == nil { stop(id, hard: true) }
        if ProcessInfo.processInfo.environment["SANJI_KEEP_TEST_DATA"] == nil { try? FileManager.default.removeItem(at: root) }
    }

    static var binary: URL { CommandRunner.sanjiBinary }
    static let repoRoot = CommandRunner.repoRoot

    typealias Run = CommandRunner.Result

    /// Runs one `sanji` command against a node (or none) and returns its output.
    @discardableResult
    func sanji(_ args: [String], node: String? = nil) throws -> Run {
        try CommandRunner.run(Self.binary, args + (node.map { ["--data", nodes[$0]!.dir.path] } ?? []))
    }

    /// Runs a command of another sanji (an earlier release) against a node.
    @discardableResult
    func run(_ binary: URL, _ args: [String], node: String? = nil) throws -> Run {
        try CommandRunner.run(binary, args + (node.map { ["--data", nodes[$0]!.dir.path] } ?? []))
    }

    @discardableResult
    func ok(_ args: [String], node: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try sanji(args, node: node)
        XCTAssertEqual(r.status, 0, "sanji \(args.joined(separator: " ")) at \(node ?? "-") failed:\n\(r.stderr)", file: file, line: line)
        return r.stdout
    }

    func json(_ args: [String], node: String) throws -> [String: Any] {
        let text = try ok(args + ["--format", "json"], node: node)
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    // MARK: Building the tree

    /// Initialises a node; children of `parent` are enrolled there. Nodes with children listen on a wildcard port.
    func add(_ id: String, level: String, parent: String? = nil, listens: Bool = true, enrol: Bool = true) throws {
        let dir = root.appendingPathComponent(id)
        var args = ["init", "--id", id, "--name", "节点\(id)", "--level", level, "--data", dir.path]
        if listens { args += ["--listen", "tcp://127.0.0.1:*"] }
        if let parent {
            // `=`: a Z85 key may begin with "-", which would read as an option.
            args += ["--parent", try endpoint(of: parent), "--parent-key=" + (try publicKey(of: parent))]
        }
        try ok(args)
        nodes[id] = Node(id: id, level: level, dir: dir, pid: nil, exitStatus: nil)
        if let parent, enrol {
            try ok(["enroll", "--id", id, "--key=" + (try publicKey(of: id))], node: parent)
        }
    }

    /// A county (with the sample catalogue), one township and two villages, all started and
    /// holding the catalogue: the smallest tree that has a relay in it.
    @discardableResult
    /// `environment`: added to a node's serve process (e.g. libfaketime's variables), by node id.
    func smallCounty(environment: [String: [String: String]] = [:]) throws -> (county: String, township: String, v1: String, v2: String) {
        let (county, township, v1, v2) = ("340321", "340321100", "340321100201", "340321100202")
        try add(county, level: "county")
        try ok(["catalog", "import", "nodes/huaiyuan/items.csv"], node: county)
        try start(county)
        try add(township, level: "township", parent: county)
        try start(township)
        for v in [v1, v2] {
            try add(v, level: "village", parent: township, listens: false)
            try start(v, environment: environment[v] ?? [:])
            try waitUntil("\(v) holds the catalogue", timeout: 30) { try self.json(["status"], node: v)["catalog_sequence"] as? Int == 1 }
        }
        return (county, township, v1, v2)
    }

    /// Registers another data directory of node `id` under `label` (a copy of its store on a
    /// second PC, a restored backup), to start and query like any node.
    func addCopy(_ label: String, of id: String, dir: URL) {
        register(label, level: nodes[id]!.level, dir: dir)
    }

    /// A node initialised by the test itself (e.g. with fixed addresses), to start and query like any.
    func register(_ id: String, level: String, dir: URL) {
        nodes[id] = Node(id: id, level: level, dir: dir, pid: nil, exitStatus: nil)
    }

    func publicKey(of id: String) throws -> String {
        try ok(["keys", "show"], node: id).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The endpoint a parent bound (it must be running, or have run once).
    func endpoint(of id: String) throws -> String {
        var found = ""
        try waitUntil("\(id) has bound its endpoint", timeout: 20) {
            found = (try self.json(["status"], node: id)["listen"] as? String) ?? ""
            return !found.isEmpty && !found.hasSuffix(":*")
        }
        return found
    }

    /// Starts `sanji serve` for a node; `environment` is added to the test's own (e.g. libfaketime's
    /// variables); `wrapper` is a command that ends by exec-ing its arguments (the serve command line).
    /// `binary`: another sanji than the one built here (an earlier release).
    func start(_ id: String, environment: [String: String] = [:], wrapper: [String] = [], binary: URL = Federation.binary, arguments: [String] = []) throws {
        guard var n = nodes[id] else { return XCTFail("no node \(id)") }
        let serve = ["serve", "--data", n.dir.path, "--heartbeat-ms", String(heartbeatMs), "--status-interval", "2"] + arguments
        let command = wrapper.isEmpty ? [binary.path] + serve : wrapper + [binary.path] + serve
        let env = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        n.pid = try Spawn.start(command[0], Array(command.dropFirst()),
                                Spawn.Options(environment: env, stdout: .file(n.dir.appendingPathComponent("serve.log").path, append: true), stderrToStdout: true))
        n.exitStatus = nil
        nodes[id] = n
    }

    func signal(_ id: String, _ sig: Int32) {
        guard let pid = nodes[id]?.pid else { return }
        kill(pid, sig)
    }

    /// How a node's serve ended, or nil while it runs (or never ran).
    func exited(_ id: String) -> Int32? {
        guard let n = nodes[id] else { return nil }
        if let status = n.exitStatus { return status }
        guard let pid = n.pid, let status = Spawn.poll(pid) else { return nil }
        nodes[id]?.exitStatus = status
        nodes[id]?.pid = nil
        return status
    }

    /// SIGKILL (no chance to clean up) or SIGTERM (a clean stop), and wait for the process to end.
    func stop(_ id: String, hard: Bool) {
        guard let pid = nodes[id]?.pid else { return }
        kill(pid, SIGCONT)
        kill(pid, hard ? SIGKILL : SIGTERM)
        nodes[id]?.exitStatus = Spawn.wait(pid)
        nodes[id]?.pid = nil
    }

    func log(_ id: String) -> String {
        (try? String(contentsOf: nodes[id]!.dir.appendingPathComponent("serve.log"), encoding: .utf8)) ?? ""
    }

    func dbPath(_ id: String) -> String { nodes[id]!.dir.appendingPathComponent("sanji.sqlite").path }

    /// Polls `condition` until it holds or the deadline passes (then fails the test).
    func waitUntil(_ what: String, timeout: TimeInterval = 60, file: StaticString = #filePath, line: UInt = #line,
                   _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        XCTFail("timed out after \(Int(timeout)) s waiting until \(what)", file: file, line: line)
        throw TimedOut(what: what)
    }

    // MARK: Figures

    static let countKeys = ["accepted", "completed", "assisted", "immediate", "evaluations", "bad_reviews", "bad_rectified", "bad_revisited"]

    /// The integer figures of one dashboard scope, grades included.
    static func counts(_ scope: [String: Any]) -> [String: Int] {
        var out: [String: Int] = [:]
        for k in countKeys { out[k] = scope[k] as? Int ?? -1 }
        for (g, n) in scope["grades"] as? [String: Int] ?? [:] { out["grade:\(g)"] = n }
        return out
    }

    static func add(_ a: [String: Int], _ b: [String: Int]) -> [String: Int] { a.merging(b, uniquingKeysWith: +) }

    static let wholeTime = ["dashboard", "--from", "2000-01-01", "--to", "2099-12-31"]

    /// A node's own figures: its own level's row of its own dashboard (its subtree holds no other node of its level).
    func ownCounts(_ id: String) throws -> [String: Int] {
        let d = try json(Self.wholeTime, node: id)
        let level = nodes[id]!.level
        let scope = (d["levels"] as? [[String: Any]] ?? []).first { $0["level"] as? String == level } ?? [:]
        return Self.counts(scope)
    }

    /// Waits until the root's figures equal the sum of every node's own figures, per level and in total.
    /// `silentEnrolled` nodes are enrolled but never report: counted in `nodes`, never in `nodes_reporting`.
    /// `plus`: counts the root holds beyond the nodes' own (rows of a node of level `plusLevel` that is not in `ids`).
    func waitForConvergence(root: String, nodes ids: [String], silentEnrolled: Int = 0, plus: [String: Int] = [:], plusLevel: String = "village",
                            timeout: TimeInterval = 90,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        var last = ""
        do {
            try waitUntil("the root's figures equal the sum of every node's own", timeout: timeout, file: file, line: line) {
                var expectedByLevel: [String: [String: Int]] = plus.isEmpty ? [:] : [plusLevel: plus]
                var expectedTotal: [String: Int] = plus
                for id in ids {
                    let own = try ownCounts(id)
                    expectedByLevel[nodes[id]!.level] = Self.add(expectedByLevel[nodes[id]!.level] ?? [:], own)
                    expectedTotal = Self.add(expectedTotal, own)
                }
                let d = try json(Self.wholeTime, node: root)
                let total = d["total"] as? [String: Any] ?? [:]
                var ok = Self.counts(total) == expectedTotal && total["nodes"] as? Int == ids.count + silentEnrolled
                    && total["nodes_reporting"] as? Int == ids.count
                for scope in d["levels"] as? [[String: Any]] ?? [] {
                    let level = scope["level"] as? String ?? ""
                    if let want = expectedByLevel[level], Self.counts(scope) != want { ok = false }
                }
                last = "root total \(Self.counts(total)) nodes \(total["nodes"] ?? "?")/\(total["nodes_reporting"] ?? "?"), expected \(expectedTotal) over \(ids.count) nodes"
                return ok
            }
        } catch {
            XCTFail("last seen: \(last)", file: file, line: line)
            throw error
        }
    }
}
