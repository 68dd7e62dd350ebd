import Foundation
import SanjiSpawn
import SanjiTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Stations on separate hosts over a rural link (issue 12, finding 10): a county, a township and
/// two villages each in a network namespace of the test's own, on a bridge of the test's own
/// (10.231.77.0/24, inside those namespaces only). One village's link is shaped to 64 kbit/s
/// (tc tbf), 10 % loss each way (iptables statistic), 400 ms delay each way (sanji-netproxy), then
/// cut for three minutes while the village keeps working. Everything arrives, exactly.
final class NetworkOfHostsTests: XCTestCase {
    static let ip = "/usr/sbin/ip"

    /// The namespaces of one run, named after the test process so that runs never meet.
    struct Net {
        let tag: String

        func ns(_ name: String) -> String { "\(tag)\(name)" }

        /// `ip …` on the host, or any command inside namespace `namespace`.
        @discardableResult
        func run(_ args: [String], in namespace: String? = nil, allowFailure: Bool = false) throws -> CommandRunner.Result {
            let full = namespace.map { ["netns", "exec", ns($0)] + args } ?? Array(args.dropFirst())
            let r = try CommandRunner.run(URL(fileURLWithPath: NetworkOfHostsTests.ip), full)
            if r.status != 0, !allowFailure { throw TimedOut(what: "ip \(full.joined(separator: " ")) failed: \(r.stderr)") }
            return r
        }
    }

    func testStationsOnSeparateHosts_overASlowLossyDelayedLinkCutForThreeMinutes_arriveExactly() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root (CI runs as root)") }
        guard FileManager.default.isExecutableFile(atPath: Self.ip), ["/usr/sbin/iptables", "/sbin/iptables"].contains(where: FileManager.default.isExecutableFile) else {
            return XCTFail("ip and iptables are needed (scripts/test.sh installs iproute2 and iptables)")
        }
        let proxy = CommandRunner.sanjiBinary.deletingLastPathComponent().appendingPathComponent("sanji-netproxy")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: proxy.path), "build the test tools first (swift build)")
        let net = Net(tag: "sj\(getpid() % 100_000)")
        let hosts = ["c": "10.231.77.1", "t": "10.231.77.2", "v": "10.231.77.3", "w": "10.231.77.4"]
        defer {
            for n in ["c", "t", "v", "w", "b"] { _ = try? net.run(["ip", "netns", "del", net.ns(n)], allowFailure: true) }
        }
        // A switch (a bridge in its own namespace) and four hosts wired to it.
        try net.run(["ip", "netns", "add", net.ns("b")])
        try net.run(["ip", "link", "add", "br0", "type", "bridge"], in: "b")
        try net.run(["ip", "link", "set", "br0", "up"], in: "b")
        for (h, addr) in hosts.sorted(by: { $0.key < $1.key }) {
            try net.run(["ip", "netns", "add", net.ns(h)])
            try net.run(["ip", "link", "add", "eth0", "netns", net.ns(h), "type", "veth", "peer", "name", "p\(h)", "netns", net.ns("b")])
            try net.run(["ip", "link", "set", "p\(h)", "master", "br0", "up"], in: "b")
            try net.run(["ip", "addr", "add", "\(addr)/24", "dev", "eth0"], in: h)
            try net.run(["ip", "link", "set", "eth0", "up"], in: h)
            try net.run(["ip", "link", "set", "lo", "up"], in: h)
        }

        let fed = try Federation()
        defer { fed.shutdown() }
        // A rural link's round trip is near a second: the production heartbeat (1 s, 5 missed = gone).
        fed.heartbeatMs = 1000
        let (county, township, village, other) = ("340321", "340321100", "340321100201", "340321100202")
        func wrapper(_ h: String) -> [String] { [Self.ip, "netns", "exec", net.ns(h)] }
        try fed.ok(["init", "--id", county, "--name", "县", "--level", "county", "--listen", "tcp://\(hosts["c"]!):7701", "--data", fed.root.appendingPathComponent(county).path])
        fed.register(county, level: "county", dir: fed.root.appendingPathComponent(county))
        try fed.ok(["catalog", "import", "nodes/huaiyuan/items.csv"], node: county)
        try fed.start(county, wrapper: wrapper("c"))
        func child(_ id: String, level: String, parent: String, parentEndpoint: String, listen: String?) throws {
            let dir = fed.root.appendingPathComponent(id)
            try fed.ok(["init", "--id", id, "--name", "站\(id)", "--level", level, "--parent", parentEndpoint, "--parent-key=" + (try fed.publicKey(of: parent)),
                        "--data", dir.path] + (listen.map { ["--listen", $0] } ?? []))
            fed.register(id, level: level, dir: dir)
            try fed.ok(["enroll", "--id", id, "--key=" + (try fed.publicKey(of: id))], node: parent)
        }
        try child(township, level: "township", parent: county, parentEndpoint: "tcp://\(hosts["c"]!):7701", listen: "tcp://\(hosts["t"]!):7702")
        try fed.start(township, wrapper: wrapper("t"))
        // The shaped village reaches its township through the delaying proxy; the other one directly.
        let proxyPid = try Spawn.start(Self.ip, ["netns", "exec", net.ns("t"), proxy.path, "--listen", "\(hosts["t"]!):7810", "--to", "\(hosts["t"]!):7702",
                                                 "--delay-ms", "400"], Spawn.Options(stdout: .null))
        defer {
            kill(proxyPid, SIGTERM)
            Spawn.wait(proxyPid)
        }
        try child(village, level: "village", parent: township, parentEndpoint: "tcp://\(hosts["t"]!):7810", listen: nil)
        try child(other, level: "village", parent: township, parentEndpoint: "tcp://\(hosts["t"]!):7702", listen: nil)
        // The village's link: 64 kbit/s both ways, 10 % of packets lost both ways.
        try net.run(["tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", "64kbit", "burst", "4kb", "latency", "500ms"], in: "v")
        try net.run(["tc", "qdisc", "add", "dev", "pv", "root", "tbf", "rate", "64kbit", "burst", "4kb", "latency", "500ms"], in: "b")
        for chain in ["INPUT", "OUTPUT"] {
            try net.run(["iptables", "-A", chain, "-m", "statistic", "--mode", "random", "--probability", "0.1", "-j", "DROP"], in: "v")
        }
        try fed.start(village, wrapper: wrapper("v"))
        try fed.start(other, wrapper: wrapper("w"))
        for id in [township, village, other] {
            try fed.waitUntil("\(id) holds the catalogue", timeout: 120) { try fed.json(["status"], node: id)["catalog_sequence"] as? Int == 1 }
        }
        let all = [county, township, village, other]
        try fed.ok(["simulate", "--days", "10", "--cases-per-day", "10", "--seed", "21"], node: village)
        try fed.ok(["simulate", "--days", "10", "--cases-per-day", "10", "--seed", "22"], node: other)
        var started = Date()
        try fed.waitForConvergence(root: county, nodes: all, timeout: 300)
        let firstConvergence = Date().timeIntervalSince(started)

        // The link is cut for three minutes (every packet dropped); the village keeps working.
        for chain in ["INPUT", "OUTPUT"] { try net.run(["iptables", "-I", chain, "1", "-j", "DROP"], in: "v") }
        try fed.ok(["simulate", "--days", "14", "--cases-per-day", "12", "--seed", "23"], node: village)
        try fed.ok(["simulate", "--days", "3", "--cases-per-day", "5", "--seed", "24"], node: other)
        let cutEnds = Date().addingTimeInterval(180)
        try fed.waitUntil("the county hears nothing new of the cut-off village", timeout: 60) {
            ((try fed.json(["status"], node: village)["parent"] as? [String: Any])?["backlog"] as? Int ?? 0) > 0
        }
        while Date() < cutEnds {
            XCTAssertGreaterThan((try fed.json(["status"], node: village)["parent"] as? [String: Any])?["backlog"] as? Int ?? 0, 0, "nothing crosses a cut link")
            usleep(5_000_000)   // the cut lasts three minutes by design; this only samples it
        }
        for chain in ["INPUT", "OUTPUT"] { try net.run(["iptables", "-D", chain, "1"], in: "v") }
        started = Date()
        try fed.waitForConvergence(root: county, nodes: all, timeout: 600)
        let afterCut = Date().timeIntervalSince(started)
        print("rural link: first convergence \(String(format: "%.1f", firstConvergence)) s; after a 3-minute cut, \(String(format: "%.1f", afterCut)) s to converge")
        let verify = try fed.sanji(["verify", "--timeout", "240"], node: county)
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    }
}
