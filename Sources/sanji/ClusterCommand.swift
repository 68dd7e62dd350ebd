import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiReport
import SanjiStore

/// A whole county from one topology folder: provision, start, watch and stop its nodes.
struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole deployment described by a topology folder (topology.csv, items.csv, calendar*.csv).",
        discussion: """
            On one machine, every node a real `sanji serve` process on loopback:
              sanji cluster up nodes/huaiyuan --dir ./county-data   # initialise, enrol, start (again: just start)
              sanji cluster status --dir ./county-data
              sanji cluster stop 340321101202 --dir ./county-data    # take one station offline …
              sanji cluster start 340321101202 --dir ./county-data   # … and bring it back
              sanji cluster wait --dir ./county-data                 # until everything reached the root
              sanji cluster down --dir ./county-data
            For docker-compose: `sanji cluster compose nodes/huaiyuan > docker-compose.yml`; the compose file's
            provision service runs `sanji cluster provision` once to make every node's keys and enrolments.
            """,
        subcommands: [Up.self, Down.self, Status.self, Wait.self, Start.self, Stop.self, Provision.self, Compose.self])

    struct DirOption: ParsableArguments {
        @Option(help: ArgumentHelp("Where the nodes' data directories live.", valueName: "dir")) var dir: String = "./cluster-data"
        var url: URL { URL(fileURLWithPath: dir) }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Initialise (once) and start every node of a topology on loopback.")
        @Argument(help: "The topology folder, e.g. nodes/huaiyuan.") var topology: String
        @OptionGroup var dir: DirOption
        @Option(help: .hidden) var heartbeatMs: Int = 1000

        func run() throws {
            try Console.run {
                let t = try ClusterPlan.load(topology)
                try FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
                try ClusterPlan.saveTopologyPath(topology, in: dir.url)
                for node in t.topology.nodes {
                    let data = dir.url.appendingPathComponent(node.id)
                    if !NodeStore.exists(in: data) {
                        var parentEndpoint: String?
                        var parentKey: String?
                        if let p = node.parent {
                            let parentStore = try NodeStore.open(in: dir.url.appendingPathComponent(p))
                            parentEndpoint = try ClusterPlan.waitForEndpoint(parentStore)
                            parentKey = try parentStore.keys.load().publicKey
                        }
                        let listen = t.topology.hasChildren(node.id) ? "tcp://127.0.0.1:*" : nil
                        try ClusterPlan.initialise(node, in: data, plan: t, listen: listen, parent: parentEndpoint, parentKey: parentKey, clusterDir: dir.url)
                        print("initialised \(node.level.rawValue) \(node.id) \(node.name)")
                    }
                    if try ClusterPlan.start(node.id, in: dir.url, heartbeatMs: heartbeatMs) { print("started \(node.id)") }
                    if t.topology.hasChildren(node.id) { _ = try ClusterPlan.waitForEndpoint(try NodeStore.open(in: data)) }
                }
                try ClusterPlan.applyTargets(t, clusterDir: dir.url)
                // Up means ready: every node holds the root's catalogue.
                let seq = try NodeStore.open(in: dir.url.appendingPathComponent(t.topology.root.id)).catalogSequence()
                let deadline = Date().addingTimeInterval(60)
                for node in t.topology.nodes.dropFirst() {
                    let store = try NodeStore.open(in: dir.url.appendingPathComponent(node.id))
                    while try store.catalogSequence() < seq {
                        guard Date() < deadline else {
                            throw SanjiError(.io, "\(node.id) has not received the catalogue within 60 s", hint: "see \(dir.dir)/\(node.id)/serve.log")
                        }
                        usleep(50_000)
                    }
                }
                print("\(t.topology.nodes.count) nodes up, every one at catalogue sequence \(seq); `sanji cluster status --dir \(dir.dir)`")
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every node cleanly (SIGTERM, then SIGKILL after 10 s).")
        @OptionGroup var dir: DirOption

        func run() throws {
            try Console.run {
                var stopped = 0
                for id in ClusterPlan.nodeIds(in: dir.url) where ClusterPlan.stop(id, in: dir.url) { stopped += 1 }
                print("stopped \(stopped) node(s)")
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start one node of a cluster.")
        @Argument(help: "The node id.") var id: String
        @OptionGroup var dir: DirOption
        @Option(help: .hidden) var heartbeatMs: Int = 1000

        func run() throws {
            try Console.run {
                print(try ClusterPlan.start(id, in: dir.url, heartbeatMs: heartbeatMs) ? "started \(id)" : "\(id) is already running")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop one node of a cluster (it keeps its data; its backlog waits).")
        @Argument(help: "The node id.") var id: String
        @OptionGroup var dir: DirOption

        func run() throws {
            try Console.run { print(ClusterPlan.stop(id, in: dir.url) ? "stopped \(id)" : "\(id) was not running") }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each node: running, parent link, backlog, catalogue sequence.")
        @OptionGroup var dir: DirOption

        func run() throws {
            try Console.run {
                var t = TextTable(headers: ["node", "name", "level", "serve", "parent link", "backlog", "catalogue"],
                                  alignments: [.left, .left, .left, .left, .left, .right, .right])
                for id in ClusterPlan.nodeIds(in: dir.url) {
                    let store = try NodeStore.open(in: dir.url.appendingPathComponent(id))
                    let parent = try store.links().first { $0.role == .parent }
                    let backlog = store.identity.isRoot ? 0 : try store.backlog(above: parent?.cursor ?? 0)
                    t.add([id, store.identity.name, store.identity.level.rawValue, ClusterPlan.pid(of: id, in: dir.url) != nil ? "running" : "stopped",
                           store.identity.isRoot ? "(root)" : parent?.state.rawValue ?? "never linked", NumberText.thousands(backlog), String(try store.catalogSequence())])
                }
                print(t.render())
            }
        }
    }

    struct Wait: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait until every node has sent everything to its parent, bottom-up, so the root holds it all.")
        @OptionGroup var dir: DirOption
        @Option(help: ArgumentHelp("Give up after this many seconds.", valueName: "s")) var timeout: Double = 120
        @Flag(help: "Show how many stations have caught up even when stderr is not a terminal (it shows on a terminal anyway).") var progress = false

        func run() throws {
            try Console.run {
                let deadline = Date().addingTimeInterval(timeout)
                let stores = try ClusterPlan.nodeIds(in: dir.url).map { try NodeStore.open(in: dir.url.appendingPathComponent($0)) }
                let depth = { (s: NodeStore) in s.identity.level.depth }
                let waiting = stores.filter({ !$0.identity.isRoot }).sorted(by: { depth($0) > depth($1) })
                let line = CountProgress("caught up", unit: "stations", force: progress)
                defer { line.finish() }
                for (i, store) in waiting.enumerated() {
                    line.update(i, of: waiting.count)
                    while try !store.hasSentEverything() {
                        guard Date() < deadline else {
                            throw SanjiError(.io, "\(store.identity.id) has not sent everything to its parent within \(Int(timeout)) s",
                                             hint: "see `sanji cluster status --dir \(dir.dir)` and \(dir.dir)/\(store.identity.id)/serve.log")
                        }
                        usleep(100_000)
                    }
                }
                line.update(waiting.count, of: waiting.count)
                line.finish()
                print("every node has sent everything to its parent")
            }
        }
    }

    struct Provision: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Initialise every node of a topology for containers (no processes started); idempotent.",
            discussion: "Parents are reached as tcp://node-<id>:<port> (the compose service names); nodes with children listen on 0.0.0.0:<port>.")
        @Argument(help: "The topology folder.") var topology: String
        @OptionGroup var dir: DirOption

        func run() throws {
            try Console.run {
                let t = try ClusterPlan.load(topology)
                for node in t.topology.nodes {
                    let data = dir.url.appendingPathComponent(node.id)
                    if NodeStore.exists(in: data) { continue }
                    let parent = node.parent.flatMap { t.topology.node($0) }
                    let parentKey = try parent.map { try NodeStore.open(in: dir.url.appendingPathComponent($0.id)).keys.load().publicKey }
                    try ClusterPlan.initialise(node, in: data, plan: t, listen: node.port.map { "tcp://0.0.0.0:\($0)" },
                                               parent: parent.map { "tcp://\(ClusterPlan.service($0.id)):\($0.port!)" }, parentKey: parentKey, clusterDir: dir.url)
                    print("provisioned \(node.id) \(node.name)")
                }
                try ClusterPlan.applyTargets(t, clusterDir: dir.url)
            }
        }
    }

    struct Compose: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a docker-compose.yml for a topology.")
        @Argument(help: "The topology folder.") var topology: String

        func run() throws {
            try Console.run { print(ClusterPlan.compose(try ClusterPlan.load(topology), folder: topology), terminator: "") }
        }
    }
}
