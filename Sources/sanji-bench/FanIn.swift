import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiReport
import SanjiStore

extension SanjiBench {
    struct FanIn: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fanin",
            abstract: "Many children streaming to one parent: freshness, backlog, and the parent's memory.",
            discussion: """
                The parent is a `sanji serve` process. The children are a load generator in this process:
                --children DEALER sockets, each with its own node id and CURVE key, enrolled at the parent,
                speaking SJP/2 (HELLO, then ROWS batches, each acknowledged after its commit). Each child sends
                --rows-per-batch rows every --interval-ms, spread evenly, for --seconds. Freshness is the time
                from a batch leaving its child to its ACK (the parent commits before it acknowledges); a real
                child adds up to 50 ms before sending (it polls its store for new revs). Beside it, in the same
                run: an idle village's `sanji serve` linked to the same parent, whose peak RSS is the idle figure.
                  sanji-bench fanin --children 500
                """)

        @Option(help: ArgumentHelp("Children.", valueName: "n")) var children: Int = 500
        @Option(help: ArgumentHelp("Seconds of streaming.", valueName: "s")) var seconds: Double = 20
        @Option(help: ArgumentHelp("Each child sends a batch this often.", valueName: "ms")) var intervalMs: Int = 1000
        @Option(help: ArgumentHelp("Rows in each batch.", valueName: "n")) var rowsPerBatch: Int = 2
        @OptionGroup var options: BenchOptions

        func validate() throws {
            if children < 1 || children > 5000 { throw ValidationError("--children must be 1…5,000") }
            if intervalMs < 10 { throw ValidationError("--interval-ms must be at least 10") }
            if rowsPerBatch < 1 || rowsPerBatch > 1000 { throw ValidationError("--rows-per-batch must be 1…1,000") }
        }

        struct Child {
            let id: String
            let socket: ZMQSocket
            var welcomed = false
            var rev: UInt64 = 0
            var acked: UInt64 = 0
            var sentAt: [UInt64: Double] = [:]
            var nextSend: Double = 0
            var lastSent: Double = 0
        }

        func run() throws {
            try Bench.run {
                let base = try options.workspace("fanin")
                defer { options.finish(base) }
                let cluster = BenchCluster(base: base, sanji: options.binary)
                defer { cluster.stopAll() }
                let n = children
                let parent = try cluster.node("340321", name: "基准县", level: .county, listens: true)
                Bench.say("enrolling \(n) children (one key each) …")
                var keys: [(id: String, pair: CurveKeyPair)] = []
                for i in 0..<n { keys.append(("34032110\(Day.pad(i, 4))", try CurveKeyPair.generate())) }
                _ = try parent.store.enroll(keys.enumerated().map { i, k in
                    NodeStore.ChildEnrolment(id: k.id, publicKey: k.pair.publicKey, name: "站\(i)", level: .village)
                })
                let village = try cluster.node("340321999999", name: "空闲村", level: .village, parent: parent, listens: false)
                try cluster.serve(parent)
                try cluster.serve(village)

                let context = ZMQContext(maxSockets: Int32(n + 64))
                var kids: [Child] = []
                for (id, pair) in keys {
                    let s = try ZMQSocket(context, .dealer)
                    try s.set(ZMQOption.curveServerKey, parent.keys.publicKey)
                    try s.set(ZMQOption.curvePublicKey, pair.publicKey)
                    try s.set(ZMQOption.curveSecretKey, pair.secretKey)
                    try s.set(ZMQOption.sendHighWater, Int32(0))
                    try s.connect(parent.endpoint!)
                    _ = try s.send([WireCodec.encode(.hello(.init(nodeId: id, name: id, level: "village", software: "bench", catalogSeq: 0, rev: 0,
                                                                  incarnation: "bench-\(id)")))])
                    kids.append(Child(id: id, socket: s))
                }
                defer { for k in kids { k.socket.close() } }
                let sockets = kids.map(\.socket)
                var latencies: [Double] = []
                var backlogSamples: [Int] = []

                /// Reads everything waiting on every socket.
                func drain() throws {
                    let ready = ZMQPoll.readable(sockets, timeoutMs: 5)
                    let now = Bench.now()
                    for i in kids.indices where ready[i] {
                        while let m = try kids[i].socket.receive() {
                            guard m.frames.count == 1, let message = try? WireCodec.decode(m.frames[0]) else { continue }
                            switch message {
                            case .welcome(let w):
                                kids[i].welcomed = true
                                kids[i].acked = w.cursor
                            case .ack(let toRev, let cursor, _):
                                if let t = kids[i].sentAt.removeValue(forKey: toRev) { latencies.append(now - t) }
                                kids[i].acked = max(kids[i].acked, cursor)
                            default:
                                break
                            }
                        }
                    }
                }

                Bench.say("connecting \(n) children (CURVE handshakes, HELLO, WELCOME) …")
                let connectStart = Bench.now()
                while kids.contains(where: { !$0.welcomed }) {
                    guard Bench.now() - connectStart < 120 else { throw BenchError("only \(kids.filter(\.welcomed).count) of \(n) children were welcomed within 120 s") }
                    try drain()
                }
                let connectSeconds = Bench.now() - connectStart

                Bench.say("streaming for \(Int(seconds)) s: every child \(rowsPerBatch) row(s) every \(intervalMs) ms …")
                let interval = Double(intervalMs) / 1000
                let start = Bench.now()
                for i in kids.indices { kids[i].nextSend = start + interval * Double(i) / Double(n) }
                let today = ZoneRule.shanghai.day(of: WallClock.system.now)
                var nextSample = start
                var sentRows = 0
                while Bench.now() < start + seconds {
                    let now = Bench.now()
                    for i in kids.indices where now >= kids[i].nextSend {
                        let from = kids[i].rev
                        var rows: [SummaryRowState] = []
                        for _ in 0..<rowsPerBatch {
                            kids[i].rev += 1
                            var c = SummaryCounters()
                            c.accepted = Int(kids[i].rev % 97)
                            c.completed = Int(kids[i].rev % 89) % (c.accepted + 1)
                            rows.append(SummaryRowState(origin: kids[i].id, key: SummaryKey(day: today, item: "ITEM\(kids[i].rev % 50)"),
                                                        originRev: kids[i].rev, counters: c))
                        }
                        _ = try kids[i].socket.send([WireCodec.encode(.rows(SyncBatch(fromRev: from, toRev: kids[i].rev, summary: rows, nodes: [])))])
                        kids[i].sentAt[kids[i].rev] = now
                        kids[i].lastSent = now
                        kids[i].nextSend += interval
                        sentRows += rows.count
                    }
                    if now >= nextSample {
                        backlogSamples.append(kids.reduce(0) { $0 + Int($1.rev - $1.acked) })
                        nextSample += 1
                    }
                    // Children whose batches are far apart keep the link alive as real ones do.
                    for i in kids.indices where now - kids[i].lastSent >= 1 {
                        _ = try kids[i].socket.send([WireCodec.encode(.heartbeat(catalogSeq: 0, time: Int64(now)))])
                        kids[i].lastSent = now
                    }
                    try drain()
                }
                let streamEnd = Bench.now()
                let parentMemory = BenchCluster.memory(of: cluster.pid(of: parent)!)
                while kids.contains(where: { $0.acked < $0.rev }), Bench.now() - streamEnd < 30 { try drain() }
                let unacked = kids.reduce(0) { $0 + Int($1.rev - $1.acked) }
                let villageMemory = BenchCluster.memory(of: cluster.pid(of: village)!)
                // Not timed: the parent's cursor of every child is that child's last rev.
                let cursors = try kids.filter { try parent.store.cursor(of: $0.id) == $0.rev }.count
                let villageLinked = try village.store.parentLink()?.state == .up

                latencies.sort()
                func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
                // Growth: the last third's mean backlog well above the first third's, and above one batch per child.
                let third = max(1, backlogSamples.count / 3)
                let early = backlogSamples.prefix(third).reduce(0, +) / third
                let late = backlogSamples.suffix(third).reduce(0, +) / third
                let rate = Double(sentRows) / seconds
                let growing = late > early * 3 / 2 && late > n * rowsPerBatch
                var lines = [
                    "fan-in, \(n) children → one parent (sanji serve), \(Bench.build) build",
                    "  connected (CURVE + HELLO/WELCOME, all)     \(String(format: "%.2f", connectSeconds)) s",
                    "  load                                       \(Bench.rate(rate)) rows/s in \(Bench.n(Int(Double(n) / interval))) batches/s for \(Int(seconds)) s",
                    "  batches acknowledged                       \(Bench.n(latencies.count))",
                    "  freshness, batch sent → committed + ACK    p50 \(String(format: "%.0f", pct(0.5))) ms, p99 \(String(format: "%.0f", pct(0.99))) ms, max \(String(format: "%.0f", pct(1.0))) ms  (goal p99 < 100 ms)",
                    "  rows in flight, mean of first / last third \(early) / \(late)\(growing ? "  (GROWING)" : "  (no growth)")",
                    "  after the run                              \(unacked) rows unacknowledged; \(cursors) of \(n) cursors at the parent",
                    "  parent peak RSS during fan-in              \(String(format: "%.1f", parentMemory.peak)) MiB  (goal < 150 MiB)",
                    "  idle village peak RSS                      \(String(format: "%.1f", villageMemory.peak)) MiB  (goal < 30 MiB)\(villageLinked ? "" : "  (its link did not come up)")",
                ]
                if unacked > 0 || cursors < n { lines.append("  WARNING: not every batch was acknowledged") }
                options.report(lines, .object([
                    ("scenario", .string("fanin")), ("children", .int(n)), ("rows_per_s", .int(Int(rate))), ("seconds", .double(seconds)),
                    ("connect_s", .double(connectSeconds)), ("p50_ms", .double(pct(0.5))), ("p99_ms", .double(pct(0.99))), ("max_ms", .double(pct(1.0))),
                    ("backlog_early", .int(early)), ("backlog_late", .int(late)), ("unacknowledged_after", .int(unacked)),
                    ("parent_peak_rss_mib", .double(parentMemory.peak)), ("idle_village_peak_rss_mib", .double(villageMemory.peak)),
                ]))
                if unacked > 0 || cursors < n { throw BenchError("not every batch was acknowledged") }
            }
        }
    }
}
