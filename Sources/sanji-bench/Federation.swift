import ArgumentParser
import Foundation
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiStore

/// What the federation scenarios share: a chain of nodes (the root first), each run by a
/// `sanji serve` process, and the clock on how soon the rows of one reach the one above.
struct Chain {
    let cluster: BenchCluster
    let nodes: [BenchCluster.Node]

    /// `levels` from the root down, each node the child of the one before; every node but the
    /// last listens. Nothing runs yet.
    init(base: URL, sanji: String, levels: [Level]) throws {
        cluster = BenchCluster(base: base, sanji: sanji)
        var nodes: [BenchCluster.Node] = []
        for (i, level) in levels.enumerated() {
            let id = ["340321", "340321100", "340321100201", "340321100201001"][i]
            nodes.append(try cluster.node(id, name: "基准\(id)", level: level, parent: nodes.last, listens: i < levels.count - 1))
        }
        self.nodes = nodes
    }

    /// The catalogue of the root, applied below as the nodes would receive it.
    func catalogue(_ csv: String) throws {
        _ = try nodes[0].store.importCatalog(name: "items.csv", bytes: Array(csv.utf8))
        let delta = try nodes[0].store.catalogDelta(after: 0)!
        for n in nodes.dropFirst() { _ = try n.store.applyCatalog(delta) }
    }

    /// Starts the nodes above `index` and waits until each serves (listening) and is linked to its
    /// parent: the timed child must not find its parent still starting (ZeroMQ would retry the
    /// connection only after its reconnect interval, and that wait is not the child's).
    func startAbove(_ index: Int) throws {
        for n in nodes.prefix(index) { try cluster.serve(n) }
        for n in nodes.prefix(index) { try cluster.waitServing(n) }
        for i in 1..<index {
            try BenchCluster.wait("\(nodes[i].id) linked to its parent", timeout: 60, everyMs: 20) { try nodes[i - 1].store.cursor(of: nodes[i].id) > 0 }
        }
    }

    /// Starts node `index` and times until its parent has committed everything it held when it
    /// started: in all (its start, CURVE handshake and HELLO/WELCOME included), and from its
    /// first acknowledged batch (like for like with the raw limits, timed from their first message).
    func uplink(from index: Int) throws -> (seconds: Double, steady: (rows: UInt64, seconds: Double)?) {
        let child = nodes[index], parent = nodes[index - 1]
        let childRev = UInt64(try child.store.currentRev())
        let start = Bench.now()
        try cluster.serve(child)
        var first: (cursor: UInt64, at: Double)?
        try BenchCluster.wait("\(parent.id) holds every row of \(child.id)", timeout: 600) {
            let cursor = try parent.store.cursor(of: child.id)
            if first == nil, cursor > 0 { first = (cursor, Bench.now()) }
            return cursor >= childRev
        }
        let seconds = Bench.now() - start
        let steady = first.flatMap { f -> (UInt64, Double)? in
            let t = start + seconds - f.at
            return f.cursor < childRev && t > 0 ? (childRev - f.cursor, t) : nil
        }
        return (seconds, steady)
    }

    /// Not timed: the root holds `origin`'s rows exactly as `origin` does.
    func rootHolds(rowsOf index: Int) throws {
        let origin = nodes[index].id
        guard try nodes[0].store.summaryRows(origin: origin) == nodes[index].store.summaryRows() else {
            throw BenchError("the root's rows of \(origin) differ from the origin's")
        }
    }
}

extension SanjiBench {
    struct Uplink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rows committed per second at a parent from one child, beside raw ZeroMQ and raw SQLite upserts.",
            discussion: """
                Measured in one run, one directory:
                  raw ZeroMQ   DEALER→ROUTER, 200-byte messages over tcp loopback with CURVE, two threads
                  raw SQLite   the same number of summary rows upserted with the C API into a table of Sanji's
                               shape (highest origin rev wins), 1,000 rows per transaction as the protocol commits
                  sanji        a township's `sanji serve` streaming its summary rows (made by importing one case
                               per row) to a county's, CURVE over tcp loopback, every batch committed before it
                               is acknowledged
                  sanji-bench uplink --rows 200000
                """)

        @Option(help: ArgumentHelp("Summary rows at the child.", valueName: "n")) var rows: Int = 200_000
        @Option(help: ArgumentHelp("Messages for the raw ZeroMQ run.", valueName: "n")) var messages: Int = 200_000
        @OptionGroup var options: BenchOptions

        func run() throws {
            try Bench.run {
                let base = try options.workspace("uplink")
                defer { options.finish(base) }
                Bench.say("raw ZeroMQ, \(Bench.n(messages)) messages …")
                let zmq = try RawLimits.zeroMQ(messages: messages)
                Bench.say("raw SQLite upserts, \(Bench.n(rows)) rows …")
                let sqlite = try RawLimits.upserts(rows: rows, path: base.appendingPathComponent("raw.sqlite").path)
                Bench.say("sanji uplink, \(Bench.n(rows)) rows …")
                let chain = try Chain(base: base.appendingPathComponent("chain"), sanji: options.binary, levels: [.county, .township])
                try ownRows(rows, at: chain.nodes[1], chain: chain)
                try chain.startAbove(1)
                let timing = try chain.uplink(from: 1)
                try chain.rootHolds(rowsOf: 1)
                chain.cluster.stopAll()
                let overall = Double(rows) / timing.seconds
                let sanji = timing.steady.map { Double($0.rows) / $0.seconds } ?? overall
                let slower = min(zmq, sqlite)
                options.report([
                    "uplink, \(Bench.n(rows)) summary rows, \(Bench.build) build",
                    "  raw ZeroMQ DEALER→ROUTER (CURVE, 200 B)      \(Bench.rate(zmq)) msgs/s",
                    "  raw SQLite upserts (1,000 per transaction)   \(Bench.rate(sqlite)) rows/s",
                    "  sanji child → parent, committed              \(Bench.rate(sanji)) rows/s from the first acknowledged batch",
                    "                                               \(Bench.rate(overall)) rows/s from starting the child's serve",
                    "  ratio to the slower raw limit                \(String(format: "%.2f", sanji / slower)) once linked (goal ≥ 0.8), \(String(format: "%.2f", overall / slower)) with start and handshakes (goal ≥ 0.7)",
                ], .object([
                    ("scenario", .string("uplink")), ("rows", .int(rows)), ("raw_zeromq_msgs_per_s", .int(Int(zmq))),
                    ("raw_sqlite_upserts_per_s", .int(Int(sqlite))), ("sanji_rows_per_s", .int(Int(sanji))),
                    ("sanji_rows_per_s_with_start", .int(Int(overall))), ("ratio", .double(sanji / slower)),
                    ("ratio_with_start", .double(overall / slower)),
                ]))
            }
        }
    }

    struct Resync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A village with a year of activity comes back: time until the county holds all of it.",
            discussion: """
                A county, a township and a village, each a `sanji serve` process (CURVE over tcp loopback). The
                village records --days of simulated activity (`sanji simulate`) while its serve is stopped; the
                county and township run. The clock runs from starting the village's serve until the county
                holds every one of its summary rows, relayed through the township.
                  sanji-bench resync --days 365
                """)

        @Option(help: ArgumentHelp("Days of activity at the village.", valueName: "n")) var days: Int = 365
        @Option(help: ArgumentHelp("Cases on a working day.", valueName: "n")) var casesPerDay: Int = 40
        @OptionGroup var options: BenchOptions

        func run() throws {
            try Bench.run {
                let base = try options.workspace("resync")
                defer { options.finish(base) }
                let chain = try Chain(base: base, sanji: options.binary, levels: [.county, .township, .village])
                try chain.catalogue(BenchData.catalogCSV(items: 200))
                let village = chain.nodes[2]
                try chain.cluster.run(["simulate", "--days", String(days), "--cases-per-day", String(casesPerDay), "--seed", "7", "--data", village.dir.path])
                let want = try village.store.summaryExtent(origin: village.id)
                guard let last = try village.store.latestSummaryKey(origin: village.id) else { throw BenchError("the simulated village holds no rows") }
                Bench.say("village holds \(Bench.n(want.rows)) summary rows; county and township linking up …")
                try chain.startAbove(2)
                let start = Bench.now()
                try chain.cluster.serve(village)
                // Rows reach the county in the village's rev order, so its last row there means all of them
                // are: one key lookup a probe (counting the county's rows every 2 ms took a core from the nodes).
                try BenchCluster.wait("the county holds the village's last row", timeout: 600) {
                    try chain.nodes[0].store.originRev(origin: village.id, day: last.day, item: last.item) >= last.originRev
                }
                let seconds = Bench.now() - start
                let held = try chain.nodes[0].store.summaryExtent(origin: village.id)
                guard held.rows == want.rows, held.maxOriginRev == want.maxOriginRev else {
                    throw BenchError("the county holds \(held.rows) rows of the village up to origin rev \(held.maxOriginRev), not \(want.rows) up to \(want.maxOriginRev)")
                }
                try chain.rootHolds(rowsOf: 2)
                chain.cluster.stopAll()
                options.report([
                    "resync, a village with \(days) days of activity (\(Bench.n(want.rows)) summary rows), \(Bench.build) build",
                    "  village's serve started → the county holds it all  \(Bench.seconds(seconds)) s  (goal < 0.25 s)",
                ], .object([("scenario", .string("resync")), ("days", .int(days)), ("summary_rows", .int(want.rows)), ("seconds", .double(seconds))]))
            }
        }
    }

    struct Relay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A province-day of rows from many stations pushed through a township and a county to a root.",
            discussion: """
                A root (city level), a county and a township, each a `sanji serve` process. The township holds
                --rows summary rows of --nodes villages enrolled below it, as if they had just arrived from them
                (committed through the store's own intake of child batches); the clock runs from starting the
                township's serve until the root has acknowledged all of it through the county. Beside it, one
                hop of the uplink (a third of the rows) measured in the same run.
                  sanji-bench relay --nodes 30000 --rows 600000
                """)

        @Option(help: ArgumentHelp("Villages whose rows are relayed.", valueName: "n")) var nodes: Int = 30_000
        @Option(help: ArgumentHelp("Summary rows in all.", valueName: "n")) var rows: Int = 600_000
        @Flag(help: "Worst case: every row from another village than the one before (default: each village's rows arrived together, villages in turn).")
        var interleave = false
        @OptionGroup var options: BenchOptions

        func validate() throws {
            if nodes < 1 || rows < nodes { throw ValidationError("--rows must be at least --nodes (every village has a row)") }
        }

        func run() throws {
            try Bench.run {
                let base = try options.workspace("relay")
                defer { options.finish(base) }
                Bench.say("one hop (the uplink figure), \(Bench.n(rows / 3)) rows …")
                let hop = try Chain(base: base.appendingPathComponent("hop"), sanji: options.binary, levels: [.county, .township])
                try ownRows(rows / 3, at: hop.nodes[1], chain: hop)
                try hop.startAbove(1)
                let hopTiming = try hop.uplink(from: 1)
                let hopRate = hopTiming.steady.map { Double($0.rows) / $0.seconds } ?? Double(rows / 3) / hopTiming.seconds
                hop.cluster.stopAll()

                Bench.say("relay: \(Bench.n(nodes)) villages, \(Bench.n(rows)) rows at the township …")
                let chain = try Chain(base: base.appendingPathComponent("relay"), sanji: options.binary, levels: [.city, .county, .township])
                try arrived(villages: nodes, rows: rows, interleaved: interleave, at: chain.nodes[2])
                try chain.startAbove(2)
                let (root, county, township) = (chain.nodes[0], chain.nodes[1], chain.nodes[2])
                let townshipRev = UInt64(try township.store.currentRev())
                let start = Bench.now()
                try chain.cluster.serve(township)
                var countyDone: Double?
                try BenchCluster.wait("the root holds every row", timeout: 900) {
                    if countyDone == nil, try county.store.cursor(of: township.id) >= townshipRev { countyDone = Bench.now() - start }
                    return try countyDone != nil && root.store.cursor(of: county.id) >= UInt64(county.store.currentRev())
                }
                let seconds = Bench.now() - start
                chain.cluster.stopAll()
                // Not timed: the root holds every row and every village.
                let held = try root.store.inventory()
                guard held.summaryRows == rows, held.nodes[.village] == nodes else {
                    throw BenchError("the root holds \(held.summaryRows) rows of \(held.nodes[.village] ?? 0) villages, not \(rows) of \(nodes)")
                }
                options.report([
                    "relay, \(Bench.n(rows)) rows of \(Bench.n(nodes)) villages (\(interleave ? "interleaved row by row" : "each village's rows together")), township → county → root, \(Bench.build) build",
                    "  one hop (uplink once linked, same run)  \(Bench.rate(hopRate)) rows/s",
                    "  the county holds all of it in           \(String(format: "%.1f", countyDone ?? seconds)) s",
                    "  root holds all of it in                 \(String(format: "%.1f", seconds)) s  (\(Bench.rate(Double(rows) / seconds)) rows/s; goal < 6 s)",
                ], .object([
                    ("scenario", .string("relay")), ("nodes", .int(nodes)), ("rows", .int(rows)), ("interleaved", .bool(interleave)),
                    ("seconds", .double(seconds)), ("rows_per_s", .int(Int(Double(rows) / seconds))), ("one_hop_rows_per_s", .int(Int(hopRate))),
                ]))
            }
        }

        /// Enrols `villages` villages at the township and commits `rows` of their summary rows there
        /// through the store's intake of child batches, as if they had just arrived from them: each
        /// village's rows together (villages in random order, as they sync), or `interleaved` row by
        /// row across villages, the worst case.
        func arrived(villages: Int, rows: Int, interleaved: Bool, at township: BenchCluster.Node) throws {
            let ids = (0..<villages).map { "\(township.id)v\($0)" }
            _ = try township.store.enroll(ids.enumerated().map { i, id in
                NodeStore.ChildEnrolment(id: id, publicKey: "bench-key-\(id)", name: "村\(i)", level: .village)
            })
            let day = Day(year: 2026, month: 11, day: 24)!
            let perVillage = (rows + villages - 1) / villages
            var rng = SeededRandom(seed: 30)
            let order = Array(0..<villages).shuffled(using: &rng)
            var next = [UInt64](repeating: 0, count: villages)
            var batches: [(child: String, batch: SyncBatch)] = []
            func row(_ village: Int, _ k: Int, _ i: Int) -> SummaryRowState {
                SummaryRowState(origin: ids[village], key: SummaryKey(day: day.adding(days: -(k / 20)), item: "ITEM\(k % 20)"),
                                originRev: UInt64(k + 1), counters: BenchData.plausible(i))
            }
            func flush() throws {
                _ = try township.store.applyBatches(batches)
                batches = []
            }
            if interleaved {
                for i in 0..<rows {
                    let v = i % villages, k = i / villages
                    batches.append((ids[v], SyncBatch(fromRev: next[v], toRev: next[v] + 1, summary: [row(v, k, i)], nodes: [])))
                    next[v] += 1
                    if batches.count == 5000 { try flush() }
                }
            } else {
                var i = 0
                for v in order {
                    let count = min(perVillage, rows - i)
                    guard count > 0 else { break }
                    let summary = (0..<count).map { k in row(v, k, i + k) }
                    batches.append((ids[v], SyncBatch(fromRev: 0, toRev: UInt64(count), summary: summary, nodes: [])))
                    i += count
                    if batches.count == 500 { try flush() }
                }
            }
            try flush()
        }
    }
}

/// Gives `node` exactly `rows` summary rows of its own, by importing one 即办件 per (day, item)
/// with `sanji import cases` (the catalogue: 500 such items).
func ownRows(_ rows: Int, at node: BenchCluster.Node, chain: Chain) throws {
    try chain.catalogue(BenchData.catalogCSV(items: 500, promised: 0))
    let file = node.dir.appendingPathComponent("own-cases.csv").path
    try BenchData.oneCasePerRow(rows: rows, items: 500, zone: node.store.zone, today: node.store.zone.day(of: WallClock.system.now))
        .write(toFile: file, atomically: false, encoding: .utf8)
    try chain.cluster.run(["import", "cases", file, "--data", node.dir.path])
    let held = try node.store.summaryExtent(origin: node.id).rows
    guard held == rows else { throw BenchError("\(node.id) holds \(held) summary rows of its own, not \(rows)") }
}
