import Foundation
import SanjiBus
import SanjiCore
import SanjiSpawn
import SanjiStore
#if canImport(Glibc)
import Glibc
#endif

/// The nodes of one benchmark: stores made as `sanji init` makes them, and the `sanji serve`
/// processes that run them. Every process started is stopped and reaped (`stopAll`, also on
/// deinit); nothing runs on in the background.
final class BenchCluster {
    struct Node {
        let id: String
        let dir: URL
        let store: NodeStore
        let keys: CurveKeyPair
        /// Where it listens for children, if it has any.
        let endpoint: String?
    }

    let base: URL
    let sanji: String
    private var serving: [String: pid_t] = [:]
    /// Ports already given to a node of this cluster: the kernel may hand a released port out again.
    private var ports: Set<Int> = []

    init(base: URL, sanji: String) {
        self.base = base
        self.sanji = sanji
    }

    deinit { stopAll() }

    /// A node's store, keys and links, as `sanji init` makes them, enrolled at `parent`.
    func node(_ id: String, name: String, level: Level, parent: Node? = nil, listens: Bool) throws -> Node {
        let dir = base.appendingPathComponent(id)
        let keys = try CurveKeyPair.generate()
        let endpoint = listens ? "tcp://127.0.0.1:\(try unusedPort())" : nil
        let store = try NodeStore.create(in: dir, identity: NodeIdentity(id: id, name: name, level: level, parent: parent?.endpoint))
        try store.keys.save(keys)
        try store.setLinkConfig(listen: endpoint, parentKey: parent?.keys.publicKey)
        if let parent { _ = try parent.store.enroll(id: id, publicKey: keys.publicKey, name: name, level: level) }
        return Node(id: id, dir: dir, store: store, keys: keys, endpoint: endpoint)
    }

    /// Starts `sanji serve` for a node, logging to serve.log in its directory.
    func serve(_ node: Node) throws {
        let log = node.dir.appendingPathComponent("serve.log").path
        serving[node.id] = try Spawn.start(sanji, ["serve", "--data", node.dir.path, "--log-level", "warning"],
                                           Spawn.Options(stdout: .file(log, append: true), stderrToStdout: true))
    }

    func pid(of node: Node) -> pid_t? { serving[node.id] }

    /// Waits until a node's serve has bound its endpoints and recorded itself serving (its first
    /// turn writes the record).
    func waitServing(_ node: Node) throws {
        try Self.wait("\(node.id) serving", timeout: 60, everyMs: 5) {
            try node.store.links().contains { $0.role == .serve && $0.state == .serving }
        }
    }

    /// Stops a node's serve (SIGTERM, a clean stop) and waits for it to end.
    func stop(_ node: Node) { stop(id: node.id) }

    private func stop(id: String) {
        guard let pid = serving.removeValue(forKey: id) else { return }
        kill(pid, SIGTERM)
        Spawn.wait(pid)
    }

    func stopAll() { for id in Array(serving.keys) { stop(id: id) } }

    /// Runs a `sanji` command to its end; what it printed, or an error with it.
    @discardableResult
    func run(_ args: [String]) throws -> String {
        let r = try Spawn.run(sanji, args)
        guard r.status == 0 else { throw BenchError("sanji \(args.joined(separator: " ")) failed (\(r.status)): \(r.stderr)") }
        return r.stdout
    }

    /// A port free on loopback now that no node of this cluster was given before.
    private func unusedPort() throws -> Int {
        for _ in 0..<100 {
            guard let port = Spawn.freeLoopbackPort() else { throw BenchError("cannot find a free port on loopback") }
            if ports.insert(port).inserted { return port }
        }
        throw BenchError("cannot find a port on loopback not already given out")
    }

    /// Peak and current resident memory of a process, in MiB (/proc/<pid>/status).
    static func memory(of pid: pid_t) -> (peak: Double, current: Double) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    /// Polls `done` every `everyMs` until it holds; throws after `timeout` seconds. Keep `done`
    /// to a few key lookups: the machine has two cores, and the nodes need both.
    static func wait(_ what: String, timeout: Double, everyMs: UInt32 = 2, _ done: () throws -> Bool) throws {
        let deadline = Bench.now() + timeout
        while try !done() {
            guard Bench.now() < deadline else { throw BenchError("\(what): not within \(Int(timeout)) s") }
            usleep(everyMs * 1000)
        }
    }
}
