import ArgumentParser
import Foundation
import Logging
import SanjiBus
import SanjiCore
import SanjiNode
import SanjiStore

extension Bench {
    struct FanOut: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fanout",
            abstract: "A catalogue change at the root reaching every township and village.",
            discussion: """
                The root and --townships townships are NodeRuntimes on threads (CURVE over tcp loopback);
                the --villages villages are a load generator in this process: one DEALER socket each, its own
                id and CURVE key, enrolled at its township, with its own store. The root then imports a
                catalogue that changes --items items. The clock runs from that import's commit until the last
                village has received the CATALOG; each village then applies it to its own store (they would
                do so in parallel, each on its own PC), and the slowest of those applies is added.
                  swift build -c release && .build/release/sanji bench fanout --townships 20 --villages 400 --items 200
                """)

        @Option(help: ArgumentHelp("Townships.", valueName: "n")) var townships: Int = 20
        @Option(help: ArgumentHelp("Villages, spread over the townships.", valueName: "n")) var villages: Int = 400
        @Option(help: ArgumentHelp("Catalogue items changed.", valueName: "n")) var items: Int = 200
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if townships < 1 || villages < 0 || items < 1 { throw ValidationError("--townships and --items must be at least 1") }
        }

        static func catalogCSV(items: Int, promised: Int) -> [UInt8] {
            var csv = CatalogParsing.itemColumns.joined(separator: ",") + "\n"
            for i in 0..<items {
                csv += "FANOUT\(Day.pad(i, 4)),事项\(i),01,县数据资源局,county|township|village,20,\(promised + i % 5),3,1,active\n"
            }
            return Array(csv.utf8)
        }

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: NSTemporaryDirectory() + "sanji-bench-fanout-\(getpid())")
                defer { try? FileManager.default.removeItem(at: base) }
                var logger = Logger(label: "bench")
                logger.logLevel = .warning
                Console.error("building a root, \(townships) townships and \(villages) villages …")
                let rootKeys = try CurveKeyPair.generate()
                let root = try NodeStore.create(in: base.appendingPathComponent("root"), identity: NodeIdentity(id: "340321", name: "基准县", level: .county))
                try root.saveKeys(publicKey: rootKeys.publicKey, secretKey: rootKeys.secretKey)
                try root.setLinkConfig(listen: "tcp://127.0.0.1:*", parentKey: nil)
                _ = try root.importCatalog(name: "items.csv", bytes: Self.catalogCSV(items: items, promised: 1))
                let initial = try root.catalogDelta(after: 0)!
                var runtimes: [NodeRuntime] = []
                defer { for r in runtimes { r.stop() } }
                func start(_ store: NodeStore) throws {
                    let runtime = try NodeRuntime(store: store, logger: logger)
                    runtimes.append(runtime)
                    Thread { try? runtime.run() }.start()
                }
                func endpoint(of store: NodeStore) throws -> String {
                    let deadline = Date().addingTimeInterval(20)
                    while Date() < deadline {
                        if let e = try store.linkConfig().listenResolved { return e }
                        usleep(5_000)  // waiting for the runtime to bind, bounded
                    }
                    throw SanjiError(.io, "\(store.identity.id) did not bind within 20 s")
                }
                try start(root)
                let rootEndpoint = try endpoint(of: root)
                var townshipStores: [NodeStore] = []
                var townshipKeys: [CurveKeyPair] = []
                for t in 0..<townships {
                    let id = "340321\(Day.pad(100 + t, 3))"
                    let keys = try CurveKeyPair.generate()
                    let store = try NodeStore.create(in: base.appendingPathComponent(id),
                                                     identity: NodeIdentity(id: id, name: "镇\(t)", level: .township, parent: rootEndpoint))
                    try store.saveKeys(publicKey: keys.publicKey, secretKey: keys.secretKey)
                    try store.setLinkConfig(listen: "tcp://127.0.0.1:*", parentKey: rootKeys.publicKey)
                    _ = try store.applyCatalog(initial)
                    _ = try root.enroll(id: id, publicKey: keys.publicKey, name: nil, level: .township)
                    townshipStores.append(store)
                    townshipKeys.append(keys)
                }
                // Every village enrolled before its township starts (as in a county rolled out from a topology).
                var villageSetup: [(store: NodeStore, keys: CurveKeyPair, township: Int)] = []
                for v in 0..<villages {
                    let t = v % townships
                    let id = "\(townshipStores[t].identity.id)\(Day.pad(200 + v / townships, 3))"
                    let keys = try CurveKeyPair.generate()
                    let store = try NodeStore.create(in: base.appendingPathComponent(id),
                                                     identity: NodeIdentity(id: id, name: "村\(v)", level: .village, parent: "tcp://township-\(t)"))
                    _ = try store.applyCatalog(initial)
                    _ = try townshipStores[t].enroll(id: id, publicKey: keys.publicKey, name: nil, level: .village)
                    villageSetup.append((store, keys, t))
                }
                for store in townshipStores { try start(store) }
                let endpoints = try townshipStores.map(endpoint(of:))

                struct Village {
                    let store: NodeStore
                    let socket: ZMQSocket
                    var received: Date?
                    var delta: CatalogDelta?
                    var lastSent = Date()
                }
                let context = ZMQContext(maxSockets: Int32(villages + 64))
                var kids: [Village] = []
                func hello(_ v: (store: NodeStore, keys: CurveKeyPair, township: Int)) -> [UInt8] {
                    WireCodec.encode(.hello(.init(nodeId: v.store.identity.id, name: v.store.identity.name, level: "village", software: "bench",
                                                  catalogSeq: initial.catalogSeq, rev: 0, incarnation: "bench-\(v.store.identity.id)")))
                }
                for (store, keys, t) in villageSetup {
                    let s = try ZMQSocket(context, .dealer)
                    try s.set(ZMQOption.curveServerKey, townshipKeys[t].publicKey)
                    try s.set(ZMQOption.curvePublicKey, keys.publicKey)
                    try s.set(ZMQOption.curveSecretKey, keys.secretKey)
                    try s.connect(endpoints[t])
                    _ = try s.send([hello((store, keys, t))])
                    kids.append(Village(store: store, socket: s))
                }
                defer { for k in kids { k.socket.close() } }
                let sockets = kids.map(\.socket)
                var welcomed = Set<Int>()
                func pump() throws {
                    let ready = ZMQPoll.readable(sockets, timeoutMs: 2)
                    let now = Date()
                    for i in kids.indices where ready[i] {
                        while let m = try kids[i].socket.receive() {
                            guard m.frames.count == 1, let message = try? WireCodec.decode(m.frames[0]) else { continue }
                            switch message {
                            case .welcome: welcomed.insert(i)
                            case .catalog(let d) where kids[i].received == nil:
                                kids[i].received = now
                                kids[i].delta = d
                            default: break
                            }
                        }
                        if now.timeIntervalSince(kids[i].lastSent) >= 0.5 {
                            _ = try kids[i].socket.send([WireCodec.encode(.heartbeat(catalogSeq: kids[i].received == nil ? initial.catalogSeq : kids[i].delta!.catalogSeq,
                                                                                     time: Int64(now.timeIntervalSince1970)))])
                            kids[i].lastSent = now
                        }
                    }
                }
                Console.error("linking up …")
                let linkDeadline = Date().addingTimeInterval(120)
                func townshipsLinked() throws -> Bool { try townshipStores.allSatisfy { try $0.links().first { $0.role == "parent" }?.state == "up" } }
                var lastHello = Date()
                while try welcomed.count < villages || !townshipsLinked() {
                    guard Date() < linkDeadline else { throw SanjiError(.io, "only \(welcomed.count) of \(villages) villages were welcomed within 120 s") }
                    try pump()
                    // As a real child does: HELLO again until welcomed.
                    if Date().timeIntervalSince(lastHello) > 2 {
                        for i in kids.indices where !welcomed.contains(i) { _ = try kids[i].socket.send([hello(villageSetup[i])]) }
                        lastHello = Date()
                    }
                }

                Console.error("the root imports a catalogue changing \(items) items …")
                _ = try root.importCatalog(name: "items-v2.csv", bytes: Self.catalogCSV(items: items, promised: 2))
                let start = Date()
                let target = try root.catalogSequence()
                var townshipsDone: Date?
                let deadline = start.addingTimeInterval(60)
                while kids.contains(where: { $0.received == nil }) || townshipsDone == nil {
                    guard Date() < deadline else { throw SanjiError(.io, "the change did not reach every node within 60 s") }
                    try pump()
                    if townshipsDone == nil, try townshipStores.allSatisfy({ try $0.catalogSequence() == target }) { townshipsDone = Date() }
                }
                let lastReceived = kids.compactMap(\.received).max() ?? start
                // Each village applies what it received, as it would on its own PC.
                var applies: [Double] = []
                for k in kids {
                    let t = Date()
                    guard try k.store.applyCatalog(k.delta!), try k.store.catalogSequence() == target else {
                        throw SanjiError(.io, "\(k.store.identity.id) did not reach sequence \(target)")
                    }
                    applies.append(Date().timeIntervalSince(t))
                }
                applies.sort()
                let reached = max(lastReceived, townshipsDone!).timeIntervalSince(start)
                let slowestApply = applies.last ?? 0
                let total = reached + slowestApply
                if json {
                    print(JSONValue.object([
                        ("scenario", .string("fanout")), ("townships", .int(townships)), ("villages", .int(villages)), ("items", .int(items)),
                        ("townships_s", .double(townshipsDone!.timeIntervalSince(start))), ("all_received_s", .double(reached)),
                        ("village_apply_median_ms", .double((applies.isEmpty ? 0 : applies[applies.count / 2]) * 1000)),
                        ("every_node_s", .double(total)),
                    ]).render())
                } else {
                    print("fan-out, \(items) items changed at the root → \(townships) townships → \(villages) villages, \(FederationBench.build) build")
                    print("  every township at the new sequence        \(String(format: "%.3f", townshipsDone!.timeIntervalSince(start))) s")
                    print("  every village has received it             \(String(format: "%.3f", reached)) s")
                    print("  a village applies it (median / slowest)   \(String(format: "%.1f", (applies.isEmpty ? 0 : applies[applies.count / 2]) * 1000)) / \(String(format: "%.1f", slowestApply * 1000)) ms")
                    print("  every node at the new sequence            \(String(format: "%.3f", total)) s  (goal < 2 s)")
                }
            }
        }
    }
}
