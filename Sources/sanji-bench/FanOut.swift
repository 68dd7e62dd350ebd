import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiStore

extension SanjiBench {
    struct FanOut: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fanout",
            abstract: "A catalogue change at the root reaching every township and village.",
            discussion: """
                The root and --townships townships are `sanji serve` processes (CURVE over tcp loopback); the
                --villages villages are a load generator in this process: one DEALER socket each, its own id and
                CURVE key, enrolled at its township, with its own store. The root then imports a catalogue that
                changes --items items (`sanji catalog import`). The clock runs from that import's end until the
                last village has received the CATALOG; each village then applies it to its own store (they
                would do so in parallel, each on its own PC), and the slowest of those applies is added.
                  sanji-bench fanout --townships 20 --villages 400 --items 200
                """)

        @Option(help: ArgumentHelp("Townships.", valueName: "n")) var townships: Int = 20
        @Option(help: ArgumentHelp("Villages, spread over the townships.", valueName: "n")) var villages: Int = 400
        @Option(help: ArgumentHelp("Catalogue items changed.", valueName: "n")) var items: Int = 200
        @OptionGroup var options: BenchOptions

        func validate() throws {
            if townships < 1 || villages < 0 || items < 1 { throw ValidationError("--townships and --items must be at least 1") }
        }

        struct Village {
            let store: NodeStore
            let socket: ZMQSocket
            let hello: [UInt8]
            var welcomed = false
            var received: Double?
            var delta: CatalogDelta?
            var lastSent = Bench.now()
        }

        func run() throws {
            try Bench.run {
                let base = try options.workspace("fanout")
                defer { options.finish(base) }
                let cluster = BenchCluster(base: base, sanji: options.binary)
                defer { cluster.stopAll() }
                Bench.say("building a root, \(townships) townships and \(villages) villages …")
                let root = try cluster.node("340321", name: "基准县", level: .county, listens: true)
                _ = try root.store.importCatalog(name: "items.csv", bytes: Array(BenchData.catalogCSV(items: items, prefix: "FANOUT", promised: 1).utf8))
                let initial = try root.store.catalogDelta(after: 0)!
                var towns: [BenchCluster.Node] = []
                for t in 0..<townships {
                    let town = try cluster.node("340321\(Day.pad(100 + t, 3))", name: "镇\(t)", level: .township, parent: root, listens: true)
                    _ = try town.store.applyCatalog(initial)
                    towns.append(town)
                }
                // Every village enrolled before its township starts (as in a county rolled out from a topology).
                let context = ZMQContext(maxSockets: Int32(villages + 64))
                var kids: [Village] = []
                for v in 0..<villages {
                    let town = towns[v % townships]
                    let id = "\(town.id)\(Day.pad(200 + v / townships, 3))"
                    let keys = try CurveKeyPair.generate()
                    let store = try NodeStore.create(in: base.appendingPathComponent(id), identity: NodeIdentity(id: id, name: "村\(v)", level: .village, parent: town.endpoint))
                    _ = try store.applyCatalog(initial)
                    _ = try town.store.enroll(id: id, publicKey: keys.publicKey, name: nil, level: .village)
                    let s = try ZMQSocket(context, .dealer)
                    try s.set(ZMQOption.curveServerKey, town.keys.publicKey)
                    try s.set(ZMQOption.curvePublicKey, keys.publicKey)
                    try s.set(ZMQOption.curveSecretKey, keys.secretKey)
                    try s.connect(town.endpoint!)
                    let hello = WireCodec.encode(.hello(.init(nodeId: id, name: "村\(v)", level: "village", software: "bench", catalogSeq: initial.catalogSeq,
                                                              rev: 0, incarnation: "bench-\(id)")))
                    kids.append(Village(store: store, socket: s, hello: hello))
                }
                defer { for k in kids { k.socket.close() } }
                try cluster.serve(root)
                for town in towns { try cluster.serve(town) }
                let sockets = kids.map(\.socket)
                func pump() throws {
                    let ready = ZMQPoll.readable(sockets, timeoutMs: 2)
                    let now = Bench.now()
                    for i in kids.indices {
                        if ready[i] {
                            while let m = try kids[i].socket.receive() {
                                guard m.frames.count == 1, let message = try? WireCodec.decode(m.frames[0]) else { continue }
                                switch message {
                                case .welcome: kids[i].welcomed = true
                                case .catalog(let d) where kids[i].received == nil:
                                    kids[i].received = now
                                    kids[i].delta = d
                                default: break
                                }
                            }
                        }
                        // As a real child does: HELLO until welcomed, heartbeats (with its sequence) after.
                        if now - kids[i].lastSent >= 0.5 {
                            let seq = kids[i].delta?.catalogSeq ?? initial.catalogSeq
                            _ = try kids[i].socket.send([kids[i].welcomed ? WireCodec.encode(.heartbeat(catalogSeq: seq, time: Int64(now))) : kids[i].hello])
                            kids[i].lastSent = now
                        }
                    }
                }
                Bench.say("linking up …")
                for k in kids { _ = try k.socket.send([k.hello]) }
                let linkDeadline = Bench.now() + 120
                while try kids.contains(where: { !$0.welcomed }) || towns.contains(where: { try root.store.cursor(of: $0.id) == 0 }) {
                    guard Bench.now() < linkDeadline else { throw BenchError("only \(kids.filter(\.welcomed).count) of \(villages) villages were welcomed within 120 s") }
                    try pump()
                }

                Bench.say("the root imports a catalogue changing \(items) items …")
                let changed = base.appendingPathComponent("items-v2.csv").path
                try BenchData.catalogCSV(items: items, prefix: "FANOUT", promised: 2).write(toFile: changed, atomically: false, encoding: .utf8)
                try cluster.run(["catalog", "import", changed, "--data", root.dir.path])
                let start = Bench.now()
                let target = try root.store.catalogSequence()
                var townshipsDone: Double?
                while kids.contains(where: { $0.received == nil }) || townshipsDone == nil {
                    guard Bench.now() < start + 60 else { throw BenchError("the change did not reach every node within 60 s") }
                    try pump()
                    if townshipsDone == nil, try towns.allSatisfy({ try $0.store.catalogSequence() == target }) { townshipsDone = Bench.now() }
                }
                let lastReceived = kids.compactMap(\.received).max() ?? start
                // Each village applies what it received, as it would on its own PC.
                var applies: [Double] = []
                for k in kids {
                    let t = Bench.now()
                    guard try k.store.applyCatalog(k.delta!), try k.store.catalogSequence() == target else {
                        throw BenchError("\(k.store.identity.id) did not reach sequence \(target)")
                    }
                    applies.append(Bench.now() - t)
                }
                applies.sort()
                let reached = max(lastReceived, townshipsDone!) - start
                let median = applies.isEmpty ? 0 : applies[applies.count / 2], slowest = applies.last ?? 0
                options.report([
                    "fan-out, \(items) items changed at the root → \(townships) townships → \(villages) villages, \(Bench.build) build",
                    "  every township at the new sequence        \(Bench.seconds(townshipsDone! - start)) s",
                    "  every village has received it             \(Bench.seconds(reached)) s",
                    "  a village applies it (median / slowest)   \(String(format: "%.1f", median * 1000)) / \(String(format: "%.1f", slowest * 1000)) ms",
                    "  every node at the new sequence            \(Bench.seconds(reached + slowest)) s  (goal < 0.3 s)",
                ], .object([
                    ("scenario", .string("fanout")), ("townships", .int(townships)), ("villages", .int(villages)), ("items", .int(items)),
                    ("townships_s", .double(townshipsDone! - start)), ("all_received_s", .double(reached)),
                    ("village_apply_median_ms", .double(median * 1000)), ("every_node_s", .double(reached + slowest)),
                ]))
            }
        }
    }
}
