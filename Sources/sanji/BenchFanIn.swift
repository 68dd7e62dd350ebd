import ArgumentParser
import Foundation
import SanjiBus
import SanjiCore
import SanjiStore

extension Bench {
    struct FanIn: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fanin",
            abstract: "Many children streaming to one parent: freshness, backlog, and the parent's memory.",
            discussion: """
                The parent is a real `sanji serve` process. The children are a load generator in this
                process: --children DEALER sockets, each with its own node id and CURVE key, enrolled at the
                parent, speaking SJP/1 (HELLO, then ROWS batches, each acknowledged after its commit). Each
                child sends --rows-per-batch rows every --interval-ms, spread evenly, for --seconds.
                Freshness is the time from a batch leaving its child to its ACK (the parent commits before it
                acknowledges); a real child adds up to 50 ms before sending (it polls its store for new revs).
                Beside it, in the same run: an idle village's `sanji serve` (linked to the same parent), whose
                peak RSS is the idle figure.
                  swift build -c release && .build/release/sanji bench fanin --children 500
                """)

        @Option(help: ArgumentHelp("Children.", valueName: "n")) var children: Int = 500
        @Option(help: ArgumentHelp("Seconds of streaming.", valueName: "s")) var seconds: Double = 20
        @Option(help: ArgumentHelp("Each child sends a batch this often.", valueName: "ms")) var intervalMs: Int = 1000
        @Option(help: ArgumentHelp("Rows in each batch.", valueName: "n")) var rowsPerBatch: Int = 2
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if children < 1 || children > 5000 { throw ValidationError("--children must be 1…5,000") }
            if intervalMs < 10 { throw ValidationError("--interval-ms must be at least 10") }
            if rowsPerBatch < 1 || rowsPerBatch > 1000 { throw ValidationError("--rows-per-batch must be 1…1,000") }
        }

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: NSTemporaryDirectory() + "sanji-bench-fanin-\(getpid())")
                defer { try? FileManager.default.removeItem(at: base) }
                let result = try FanInRun(base: base, options: self).run()
                if json {
                    print(result.json.render())
                } else {
                    print(result.text)
                }
            }
        }
    }
}

/// One fan-in measurement: a parent process, a load generator, an idle village process.
struct FanInRun {
    let base: URL
    let options: Bench.FanIn

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

    struct Result {
        var text: String
        var json: JSONValue
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Peak and current resident memory of a process, in MiB.
    static func memory(of pid: Int32) -> (peak: Double, current: Double) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    func serve(_ dir: URL, log: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["serve", "--data", dir.path, "--log-level", "warning"]
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return p
    }

    func run() throws -> Result {
        let n = options.children
        // The parent: a county, every child enrolled with its own key.
        let parentDir = base.appendingPathComponent("parent")
        let parent = try NodeStore.create(in: parentDir, identity: NodeIdentity(id: "340321", name: "基准县", level: .county))
        let parentKeys = try CurveKeyPair.generate()
        try parent.saveKeys(publicKey: parentKeys.publicKey, secretKey: parentKeys.secretKey)
        try parent.setLinkConfig(listen: "tcp://127.0.0.1:*", parentKey: nil)
        Console.error("enrolling \(n) children (one key each) …")
        var keys: [(id: String, pair: CurveKeyPair)] = []
        for i in 0..<n {
            let id = "34032110\(Day.pad(i, 4))"
            let pair = try CurveKeyPair.generate()
            _ = try parent.enroll(id: id, publicKey: pair.publicKey, name: "站\(i)", level: .village)
            keys.append((id, pair))
        }
        let villageDir = base.appendingPathComponent("village")
        let villageKeys = try CurveKeyPair.generate()
        _ = try parent.enroll(id: "340321999999", publicKey: villageKeys.publicKey, name: "空闲村", level: .village)

        let parentProcess = try serve(parentDir, log: base.appendingPathComponent("parent.log"))
        defer { if parentProcess.isRunning { parentProcess.terminate(); parentProcess.waitUntilExit() } }
        var endpoint: String?
        let bindDeadline = Self.now() + 20
        while endpoint == nil, Self.now() < bindDeadline {
            endpoint = try parent.linkConfig().listenResolved
            if endpoint == nil { usleep(20_000) }  // waiting for serve to record its port, bounded
        }
        guard let endpoint else { throw SanjiError(.io, "the parent's sanji serve did not bind within 20 s (log: \(base.path)/parent.log)") }

        // The idle village: a real serve process, linked, doing nothing.
        let village = try NodeStore.create(in: villageDir, identity: NodeIdentity(id: "340321999999", name: "空闲村", level: .village, parent: endpoint))
        try village.saveKeys(publicKey: villageKeys.publicKey, secretKey: villageKeys.secretKey)
        try village.setLinkConfig(listen: nil, parentKey: parentKeys.publicKey)
        let villageProcess = try serve(villageDir, log: base.appendingPathComponent("village.log"))
        defer { if villageProcess.isRunning { villageProcess.terminate(); villageProcess.waitUntilExit() } }

        // The children.
        let context = ZMQContext(maxSockets: Int32(n + 64))
        var kids: [Child] = []
        for (id, pair) in keys {
            let s = try ZMQSocket(context, .dealer)
            try s.set(ZMQOption.curveServerKey, parentKeys.publicKey)
            try s.set(ZMQOption.curvePublicKey, pair.publicKey)
            try s.set(ZMQOption.curveSecretKey, pair.secretKey)
            try s.set(ZMQOption.sendHighWater, Int32(0))
            try s.connect(endpoint)
            _ = try s.send([WireCodec.encode(.hello(.init(nodeId: id, name: id, level: "village", software: "bench", catalogSeq: 0, rev: 0, incarnation: "bench-\(id)")))])
            kids.append(Child(id: id, socket: s))
        }
        defer { for k in kids { k.socket.close() } }
        let sockets = kids.map(\.socket)
        var latencies: [Double] = []
        var backlogSamples: [(t: Double, rows: Int)] = []

        /// Reads everything waiting on every socket.
        func drain() throws {
            let ready = ZMQPoll.readable(sockets, timeoutMs: 5)
            let now = Self.now()
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

        Console.error("connecting \(n) children (CURVE handshakes, HELLO, WELCOME) …")
        let connectStart = Self.now()
        while kids.contains(where: { !$0.welcomed }) {
            guard Self.now() - connectStart < 120 else { throw SanjiError(.io, "only \(kids.filter(\.welcomed).count) of \(n) children were welcomed within 120 s") }
            try drain()
        }
        let connectSeconds = Self.now() - connectStart

        Console.error("streaming for \(Int(options.seconds)) s: every child \(options.rowsPerBatch) row(s) every \(options.intervalMs) ms …")
        let interval = Double(options.intervalMs) / 1000
        let start = Self.now()
        for i in kids.indices { kids[i].nextSend = start + interval * Double(i) / Double(n) }
        let today = ZoneRule.shanghai.day(of: .now()).description
        var nextSample = start
        var sentRows = 0
        while Self.now() < start + options.seconds {
            let now = Self.now()
            for i in kids.indices where now >= kids[i].nextSend {
                var rows: [SummaryRowState] = []
                let from = kids[i].rev
                for _ in 0..<options.rowsPerBatch {
                    kids[i].rev += 1
                    var c = SummaryCounters()
                    c.accepted = Int(kids[i].rev % 97)
                    c.completed = Int(kids[i].rev % 89)
                    rows.append(SummaryRowState(origin: kids[i].id, key: SummaryKey(day: Day(today)!, item: "ITEM\(kids[i].rev % 50)"),
                                                originRev: kids[i].rev, counters: c))
                }
                _ = try kids[i].socket.send([WireCodec.encode(.rows(SyncBatch(fromRev: from, toRev: kids[i].rev, summary: rows, nodes: [])))])
                kids[i].sentAt[kids[i].rev] = now
                kids[i].lastSent = now
                kids[i].nextSend += interval
                sentRows += rows.count
            }
            if now >= nextSample {
                backlogSamples.append((now - start, kids.reduce(0) { $0 + Int($1.rev - $1.acked) }))
                nextSample += 1
            }
            // Children whose batches are far apart keep the link alive as real ones do.
            for i in kids.indices where now - kids[i].lastSent >= 1 {
                _ = try kids[i].socket.send([WireCodec.encode(.heartbeat(catalogSeq: 0, time: Int64(now)))])
                kids[i].lastSent = now
            }
            try drain()
        }
        let streamEnd = Self.now()
        let parentMemory = Self.memory(of: parentProcess.processIdentifier)
        // Drain: every batch acknowledged.
        while kids.contains(where: { $0.acked < $0.rev }), Self.now() - streamEnd < 30 { try drain() }
        let unacked = kids.reduce(0) { $0 + Int($1.rev - $1.acked) }
        let villageMemory = Self.memory(of: villageProcess.processIdentifier)
        // Not timed: the parent's cursor of every child is that child's last rev.
        let ids = kids.map(\.id)
        let cursors = try parent.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM peer_cursor WHERE cursor > 0 AND child IN (\(ids.map { "'\($0)'" }.joined(separator: ",")))") ?? 0
        }
        let villageLinked = try village.links().first { $0.role == "parent" }?.state == "up"

        latencies.sort()
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
        // Growth: the last third's mean backlog well above the first third's, and above one batch per child.
        let third = max(1, backlogSamples.count / 3)
        let early = backlogSamples.prefix(third).map(\.rows).reduce(0, +) / third
        let late = backlogSamples.suffix(third).map(\.rows).reduce(0, +) / third
        let rate = Double(sentRows) / options.seconds
        let growing = late > early * 3 / 2 && late > n * options.rowsPerBatch
        var lines = [
            "fan-in, \(n) children → one parent (sanji serve), \(FederationBench.build) build",
            "  connected (CURVE + HELLO/WELCOME, all)     \(String(format: "%.2f", connectSeconds)) s",
            "  load                                       \(NumberText.thousands(Int(rate))) rows/s in \(NumberText.thousands(Int(Double(n) / (Double(options.intervalMs) / 1000)))) batches/s for \(Int(options.seconds)) s",
            "  batches acknowledged                       \(NumberText.thousands(latencies.count))",
            "  freshness, batch sent → committed + ACK    p50 \(String(format: "%.0f", pct(0.5))) ms, p99 \(String(format: "%.0f", pct(0.99))) ms, max \(String(format: "%.0f", pct(1.0))) ms  (goal p99 < 500 ms)",
            "  rows in flight, mean of first / last third \(early) / \(late)\(growing ? "  (GROWING)" : "  (no growth)")",
            "  after the run                              \(unacked) rows unacknowledged; \(cursors) of \(n) cursors at the parent",
            "  parent peak RSS during fan-in              \(String(format: "%.1f", parentMemory.peak)) MiB  (goal < 300 MiB)",
            "  idle village peak RSS                      \(String(format: "%.1f", villageMemory.peak)) MiB  (goal < 30 MiB)\(villageLinked ? "" : "  (its link did not come up)")",
        ]
        if unacked > 0 || cursors < n { lines.append("  WARNING: not every batch was acknowledged") }
        let json = JSONValue.object([
            ("scenario", .string("fanin")), ("children", .int(n)), ("rows_per_s", .int(Int(rate))), ("seconds", .double(options.seconds)),
            ("connect_s", .double(connectSeconds)), ("p50_ms", .double(pct(0.5))), ("p99_ms", .double(pct(0.99))), ("max_ms", .double(pct(1.0))),
            ("backlog_early", .int(early)), ("backlog_late", .int(late)), ("unacknowledged_after", .int(unacked)),
            ("parent_peak_rss_mib", .double(parentMemory.peak)), ("idle_village_peak_rss_mib", .double(villageMemory.peak)),
        ])
        return Result(text: lines.joined(separator: "\n"), json: json)
    }
}
