import ArgumentParser
import Foundation
import GRDB
import GRDBSQLite
import Logging
import SanjiBus
import SanjiCore
import SanjiNode
import SanjiStore

extension Bench {
    struct Uplink: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rows committed per second at a parent from one child, beside raw ZeroMQ and raw SQLite upserts.",
            discussion: """
                Measured in one run, one directory:
                  raw ZeroMQ   DEALER→ROUTER, 200-byte messages over tcp loopback with CURVE, two threads
                  raw SQLite   the same summary rows upserted with the C API (highest origin rev wins),
                               1,000 rows per transaction as the protocol commits them
                  sanji        a township streaming its summary rows to a county: two NodeRuntimes on
                               threads, CURVE over tcp loopback, every batch committed before it is acknowledged
                  swift build -c release && .build/release/sanji bench uplink --rows 200000
                """)

        @Option(help: ArgumentHelp("Summary rows at the child.", valueName: "n")) var rows: Int = 200_000
        @Option(help: ArgumentHelp("Messages for the raw ZeroMQ run.", valueName: "n")) var messages: Int = 200_000
        @Flag(help: "Print the result as JSON.") var json = false

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: NSTemporaryDirectory() + "sanji-bench-uplink-\(getpid())")
                try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: base) }
                Console.error("raw ZeroMQ, \(NumberText.thousands(messages)) messages …")
                let zmq = try FederationBench.rawZeroMQ(messages: messages)
                Console.error("raw SQLite upserts, \(NumberText.thousands(rows)) rows …")
                let sqlite = try FederationBench.rawUpserts(rows: rows, path: base.appendingPathComponent("raw.sqlite").path)
                Console.error("sanji uplink, \(NumberText.thousands(rows)) rows …")
                let tree = try FederationBench.Tree(base: base, levels: [.county, .township])
                try FederationBench.fabricate(rows: rows, at: tree.stores[1])
                let timing = try tree.sync(from: 1)
                let overall = Double(rows) / timing.seconds
                // Like for like with the raw limits, which are timed from their first message or row.
                let sanji = timing.steady.map { Double($0.rows) / $0.seconds } ?? overall
                let slower = min(zmq, sqlite)
                if json {
                    print(JSONValue.object([
                        ("scenario", .string("uplink")), ("rows", .int(rows)), ("raw_zeromq_msgs_per_s", .int(Int(zmq))),
                        ("raw_sqlite_upserts_per_s", .int(Int(sqlite))), ("sanji_rows_per_s", .int(Int(sanji))),
                        ("sanji_rows_per_s_with_handshakes", .int(Int(overall))), ("ratio", .double(sanji / slower)),
                    ]).render())
                } else {
                    print("uplink, \(NumberText.thousands(rows)) summary rows, \(FederationBench.build) build")
                    print("  raw ZeroMQ DEALER→ROUTER (CURVE, 200 B)      \(NumberText.thousands(Int(zmq))) msgs/s")
                    print("  raw SQLite upserts (1,000 per transaction)   \(NumberText.thousands(Int(sqlite))) rows/s")
                    print("  sanji child → parent, committed              \(NumberText.thousands(Int(sanji))) rows/s from the first acknowledged batch")
                    print("                                               \(NumberText.thousands(Int(overall))) rows/s with the CURVE handshakes and HELLO/WELCOME")
                    print("  ratio to the slower raw limit                \(String(format: "%.2f", sanji / slower))  (goal ≥ 0.50)")
                }
            }
        }
    }

    struct Resync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A village with a year of activity comes back: time until the county holds all of it.",
            discussion: """
                A county, a township and a village, each a NodeRuntime on its own thread (CURVE over tcp
                loopback). The village records --days of simulated activity while offline, then links up;
                the time runs until the county holds every one of the village's summary rows.
                  swift build -c release && .build/release/sanji bench resync --days 365
                """)

        @Option(help: ArgumentHelp("Days of activity at the village.", valueName: "n")) var days: Int = 365
        @Option(help: ArgumentHelp("Cases on a working day.", valueName: "n")) var casesPerDay: Int = 40
        @Flag(help: "Print the result as JSON.") var json = false

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: NSTemporaryDirectory() + "sanji-bench-resync-\(getpid())")
                defer { try? FileManager.default.removeItem(at: base) }
                let tree = try FederationBench.Tree(base: base, levels: [.county, .township, .village])
                let catalogCSV = try String(contentsOfFile: "nodes/huaiyuan/items.csv", encoding: .utf8)
                _ = try tree.stores[0].importCatalog(name: "items.csv", bytes: Array(catalogCSV.utf8))
                _ = try tree.stores[1].applyCatalog(try tree.stores[0].catalogDelta(after: 0)!)
                _ = try tree.stores[2].applyCatalog(try tree.stores[0].catalogDelta(after: 0)!)
                let village = tree.stores[2]
                let now = Timestamp.now()
                let sim = ActivitySimulator(catalog: try village.catalog(), level: .village, zone: village.zone, nodeId: village.identity.id)
                let out = sim.generate(.init(firstDay: village.zone.day(of: now).adding(days: -(days - 1)), days: days, casesPerDay: casesPerDay, seed: 7, now: now))
                _ = try village.importCases(name: "cases.csv", bytes: Array(out.cases.utf8), options: ImportOptions(now: now))
                _ = try village.importEvaluations(name: "evals.csv", bytes: Array(out.evaluations.utf8), options: ImportOptions(now: now))
                let villageRows = try village.summaryRows().count
                Console.error("village holds \(NumberText.thousands(out.caseCount)) cases, \(NumberText.thousands(villageRows)) summary rows; linking up …")
                let seconds = try tree.syncTime(from: 2)
                if json {
                    print(JSONValue.object([
                        ("scenario", .string("resync")), ("days", .int(days)), ("cases", .int(out.caseCount)),
                        ("summary_rows", .int(villageRows)), ("seconds", .double(seconds)),
                    ]).render())
                } else {
                    print("resync, a village with \(days) days of activity (\(NumberText.thousands(out.caseCount)) cases, \(NumberText.thousands(villageRows)) summary rows), \(FederationBench.build) build")
                    print("  village → township → county, converged in  \(String(format: "%.3f", seconds)) s  (goal < 1 s)")
                }
            }
        }
    }
}

extension Bench {
    struct Relay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A province-day of rows from many stations pushed through a township and a county to a root.",
            discussion: """
                A root (city level), a county and a township, each a NodeRuntime on its own thread (CURVE over
                tcp loopback). The township holds --rows summary rows of --nodes villages enrolled below it, as
                if they had just arrived; the time runs until the root has acknowledged all of it through the
                county. Beside it, the uplink figure of one hop measured in the same run.
                  swift build -c release && .build/release/sanji bench relay --nodes 30000 --rows 600000
                """)

        @Option(help: ArgumentHelp("Villages whose rows are relayed.", valueName: "n")) var nodes: Int = 30_000
        @Option(help: ArgumentHelp("Summary rows in all.", valueName: "n")) var rows: Int = 600_000
        @Flag(help: "Worst case: every row from another village than the one before (default: each village's rows arrived together, villages in turn, as they sync).")
        var interleave = false
        @Flag(help: "Print the result as JSON.") var json = false

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: NSTemporaryDirectory() + "sanji-bench-relay-\(getpid())")
                try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: base) }
                Console.error("one hop (the uplink figure), \(NumberText.thousands(rows / 3)) rows …")
                let hop = try FederationBench.Tree(base: base.appendingPathComponent("hop"), levels: [.county, .township])
                try FederationBench.fabricate(rows: rows / 3, at: hop.stores[1])
                let hopRate = Double(rows / 3) / (try hop.syncTime(from: 1))
                Console.error("relay: \(NumberText.thousands(nodes)) villages, \(NumberText.thousands(rows)) rows at the township …")
                let tree = try FederationBench.Tree(base: base.appendingPathComponent("relay"), levels: [.city, .county, .township])
                try FederationBench.fabricateSubtree(villages: nodes, rows: rows, interleaved: interleave, at: tree.stores[2])
                let townshipRev = UInt64(try tree.stores[2].currentRev())
                let started = Date()
                var firstHop: Double?
                let seconds = try tree.runUntil {
                    if firstHop == nil, try tree.stores[1].cursor(of: tree.stores[2].identity.id) >= townshipRev { firstHop = Date().timeIntervalSince(started) }
                    return try tree.chainAcknowledged()
                }
                // Not timed: the root holds every row and every village.
                let (rootRows, rootNodes) = try tree.stores[0].pool.read { db in
                    (try Int.fetchOne(db, sql: "SELECT count(*) FROM summary") ?? 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM node WHERE level = 'village'") ?? 0)
                }
                guard rootRows == rows, rootNodes == nodes else {
                    throw SanjiError(.io, "the root holds \(rootRows) rows of \(rootNodes) villages, not \(rows) of \(nodes)")
                }
                let rate = Double(rows) / seconds
                if json {
                    print(JSONValue.object([
                        ("scenario", .string("relay")), ("nodes", .int(nodes)), ("rows", .int(rows)), ("interleaved", .bool(interleave)), ("seconds", .double(seconds)),
                        ("rows_per_s", .int(Int(rate))), ("one_hop_rows_per_s", .int(Int(hopRate))),
                    ]).render())
                } else {
                    print("relay, \(NumberText.thousands(rows)) rows of \(NumberText.thousands(nodes)) villages (\(interleave ? "interleaved row by row" : "each village's rows together")), township → county → root, \(FederationBench.build) build")
                    print("  one hop (uplink, same run)              \(NumberText.thousands(Int(hopRate))) rows/s")
                    print("  the county holds all of it in           \(String(format: "%.1f", firstHop ?? seconds)) s")
                    print("  root holds all of it in                 \(String(format: "%.1f", seconds)) s  (\(NumberText.thousands(Int(rate))) rows/s; goal < 20 s)")
                }
            }
        }
    }
}

enum FederationBench {
    /// Counters a station could have written (no part larger than its whole), varied by `i`:
    /// what benchmark rows carry, since a parent refuses impossible ones.
    static func plausible(_ i: Int) -> SummaryCounters {
        var c = SummaryCounters()
        c.accepted = 5 + i % 40
        c.acceptedOnline = c.accepted / 2
        c.assisted = c.accepted / 5
        c.completed = 3 + i % 37
        c.completedOnTime = c.completed - i % 3
        c.completedImmediate = c.completed / 3
        c.visits = c.completed
        c.due = c.accepted
        c.dueMet = c.due - i % 4
        c.gradeVerySatisfied = i % 11
        c.gradeSatisfied = i % 5
        c.gradeDissatisfied = i % 97 == 0 ? 1 : 0
        return c
    }

    #if DEBUG
    static let build = "debug"
    #else
    static let build = "release"
    #endif

    /// A chain of nodes (root first), each child enrolled at its parent, runtimes not yet started.
    final class Tree {
        let stores: [NodeStore]
        var runtimes: [NodeRuntime] = []
        var threads: [Thread] = []

        init(base: URL, levels: [Level]) throws {
            var stores: [NodeStore] = []
            var parentEndpoint: String?
            var parentKey: String?
            for (i, level) in levels.enumerated() {
                let keys = try CurveKeyPair.generate()
                let id = ["340321", "340321100", "340321100201", "340321100201001"][i]
                let store = try NodeStore.create(in: base.appendingPathComponent(id),
                                                 identity: NodeIdentity(id: id, name: "基准\(id)", level: level, parent: parentEndpoint))
                try store.saveKeys(publicKey: keys.publicKey, secretKey: keys.secretKey)
                let port = Int.random(in: 20_000...60_000)
                let listen = i < levels.count - 1 ? "tcp://127.0.0.1:\(port)" : nil
                try store.setLinkConfig(listen: listen, parentKey: parentKey)
                if let parent = stores.last { _ = try parent.enroll(id: id, publicKey: keys.publicKey, name: nil, level: level) }
                stores.append(store)
                parentEndpoint = listen
                parentKey = keys.publicKey
            }
            self.stores = stores
        }

        /// Starts every runtime and returns the seconds until `done` holds (checked every 2 ms: keep
        /// it to a few key lookups, the machine has two cores and the runtimes need both).
        func runUntil(_ done: () throws -> Bool) throws -> Double {
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let start = Date()
            for store in stores.reversed() {
                let runtime = try NodeRuntime(store: store, logger: logger)
                runtimes.append(runtime)
                let name = "rt-\(store.identity.level.rawValue)"
                let t = Thread {
                    Thread.current.name = name  // for perf report --comm
                    try? runtime.run()
                }
                t.start()
                threads.append(t)
            }
            defer { for r in runtimes { r.stop() } }
            while try !done() {
                if Date().timeIntervalSince(start) > 600 { throw SanjiError(.io, "the root did not converge within 10 minutes") }
                usleep(2_000)
            }
            return Date().timeIntervalSince(start)
        }

        /// True when every link of the chain has acknowledged everything below it.
        func chainAcknowledged() throws -> Bool {
            for i in stride(from: stores.count - 1, to: 0, by: -1) {
                let childRev = UInt64(try stores[i].currentRev())
                if try stores[i - 1].cursor(of: stores[i].identity.id) < childRev { return false }
            }
            return true
        }

        /// Starts every runtime and returns the seconds until the root holds all rows of node `index`.
        func syncTime(from index: Int) throws -> Double { try sync(from: index).seconds }

        /// Starts every runtime and times until the root holds all rows of node `index`: in all
        /// (handshakes included), and for a direct child also from its first acknowledged batch on
        /// (`steady`: the rate once linked, as the raw ZeroMQ limit is timed from its first message).
        func sync(from index: Int) throws -> (seconds: Double, steady: (rows: UInt64, seconds: Double)?) {
            let origin = stores[index].identity.id
            let want = try stores[index].summaryRows()
            let wantMaxRev = try stores[index].summaryExtent(origin: origin).maxOriginRev
            let childRev = UInt64(try stores[index].currentRev())
            let started = Date()
            var first: (cursor: UInt64, at: Date)?
            let seconds = try runUntil {
                // A direct child's cursor at the root is one key lookup; deeper nodes need a count.
                if index == 1 {
                    let cursor = try stores[0].cursor(of: origin)
                    if first == nil, cursor > 0 { first = (cursor, Date()) }
                    return cursor >= childRev
                }
                let extent = try stores[0].summaryExtent(origin: origin)
                return extent.rows == want.count && extent.maxOriginRev == wantMaxRev
            }
            // Not timed: every row arrived exactly as the origin holds it.
            guard try stores[0].summaryRows(origin: origin) == want else {
                throw SanjiError(.io, "the root's rows of \(origin) differ from the origin's")
            }
            let steady = first.flatMap { f -> (UInt64, Double)? in
                let t = seconds - f.at.timeIntervalSince(started)
                return f.cursor < childRev && t > 0 ? (childRev - f.cursor, t) : nil
            }
            return (seconds, steady)
        }
    }

    /// Writes `rows` summary rows at a node, as its own (one rev each).
    static func fabricate(rows: Int, at store: NodeStore) throws {
        try store.pool.write { db in
            let cols = SummaryCounters.columns
            let sql = "INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev) VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)"
            let stmt = try db.makeStatement(sql: sql)
            let first = Day(year: 2024, month: 1, day: 1)!
            for i in 0..<rows {
                var args: [DatabaseValueConvertible?] = [store.identity.id, first.adding(days: i / 500).description, "ITEM\(i % 500)"]
                args += FederationBench.plausible(i).values
                args += [i + 1, i + 1]
                try stmt.execute(arguments: StatementArguments(args))
            }
            try db.execute(sql: "UPDATE counter SET value = ? WHERE name = 'rev'", arguments: [rows])
        }
    }

    /// Enrols `villages` villages below a township store and gives it `rows` of their summary rows,
    /// as if they had just arrived from them (enrolments first, as they would have come): each
    /// village's rows together, or `interleaved` row by row across villages (the worst case).
    static func fabricateSubtree(villages: Int, rows: Int, interleaved: Bool, at store: NodeStore) throws {
        let township = store.identity.id
        let ids = (0..<villages).map { "\(township)v\($0)" }
        try store.pool.write { db in
            let now = Timestamp.now().seconds
            let enrol = try db.makeStatement(sql: """
                INSERT INTO node (id, name, level, parent, enrolled_at, revoked, enroll_origin_rev, enroll_rev) VALUES (?, ?, 'village', ?, ?, 0, ?, ?)
                """)
            for (i, id) in ids.enumerated() { try enrol.execute(arguments: [id, "村\(i)", township, now, i + 1, i + 1]) }
            let cols = SummaryCounters.columns
            let stmt = try db.makeStatement(sql: "INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev) VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)")
            let day = Day(year: 2026, month: 11, day: 24)!
            let perVillage = (rows + villages - 1) / villages
            // Villages sync in no particular order.
            var rng = SeededRandom(seed: 30)
            let order = Array(0..<villages).shuffled(using: &rng)
            for i in 0..<rows {
                let village = interleaved ? i % villages : order[i / perVillage], k = interleaved ? i / villages : i % perVillage
                var args: [DatabaseValueConvertible?] = [ids[village], day.adding(days: -(k / 20)).description, "ITEM\(k % 20)"]
                args += FederationBench.plausible(i).values
                args += [k + 1, villages + i + 1]
                try stmt.execute(arguments: StatementArguments(args))
            }
            try db.execute(sql: "UPDATE counter SET value = ? WHERE name = 'rev'", arguments: [villages + rows])
        }
    }

    /// Messages per second from a DEALER to a ROUTER over tcp loopback with CURVE, in two threads.
    static func rawZeroMQ(messages: Int) throws -> Double {
        let context = ZMQContext()
        let server = try CurveKeyPair.generate(), client = try CurveKeyPair.generate()
        let router = try ZMQSocket(context, .router)
        try router.set(ZMQOption.curveServer, Int32(1))
        try router.set(ZMQOption.curveSecretKey, server.secretKey)
        try router.set(ZMQOption.receiveHighWater, Int32(0))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = router.lastEndpoint
        let payload = [UInt8](repeating: 0x5A, count: 200)
        // The sender keeps its socket open until the receiver has everything (closing drops what is queued).
        let received = DispatchSemaphore(value: 0)
        let sender = Thread {
            guard let dealer = try? ZMQSocket(context, .dealer) else { return }
            try? dealer.set(ZMQOption.curveServerKey, server.publicKey)
            try? dealer.set(ZMQOption.curvePublicKey, client.publicKey)
            try? dealer.set(ZMQOption.curveSecretKey, client.secretKey)
            try? dealer.set(ZMQOption.sendHighWater, Int32(0))
            try? dealer.connect(endpoint)
            var sent = 0
            while sent < messages {
                if (try? dealer.send([payload])) == true { sent += 1 } else { usleep(50) }
            }
            received.wait()
        }
        sender.start()
        var count = 0
        var start: Date?
        while count < messages {
            _ = ZMQPoll.readable([router], timeoutMs: 100)
            while count < messages, try router.receive() != nil {
                if start == nil { start = Date() }
                count += 1
            }
        }
        let rate = Double(messages - 1) / Date().timeIntervalSince(start!)
        received.signal()
        return rate
    }

    /// Summary-row upserts per second with the C API, 1,000 per transaction.
    static func rawUpserts(rows: Int, path: String) throws -> Double {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw SanjiError(.io, "cannot open \(path)") }
        defer { sqlite3_close(db) }
        let cols = SummaryCounters.columns
        sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", nil, nil, nil)
        sqlite3_exec(db, """
            CREATE TABLE summary (origin TEXT NOT NULL, day TEXT NOT NULL, item TEXT NOT NULL,
              \(cols.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")), origin_rev INTEGER NOT NULL, rev INTEGER NOT NULL,
              PRIMARY KEY (origin, day, item)) WITHOUT ROWID;
            CREATE UNIQUE INDEX summary_rev ON summary (rev);
            """, nil, nil, nil)
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, """
            INSERT INTO summary (origin, day, item, \(cols.joined(separator: ", ")), origin_rev, rev)
            VALUES (?, ?, ?, \(cols.map { _ in "?" }.joined(separator: ", ")), ?, ?)
            ON CONFLICT (origin, day, item) DO UPDATE SET \(cols.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
              origin_rev = excluded.origin_rev, rev = excluded.rev WHERE excluded.origin_rev > summary.origin_rev
            """, -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let first = Day(year: 2024, month: 1, day: 1)!
        let days = (0...(rows / 500)).map { first.adding(days: $0).description }
        let items = (0..<500).map { "ITEM\($0)" }
        let start = Date()
        for i in 0..<rows {
            if i % 1000 == 0 { sqlite3_exec(db, "BEGIN", nil, nil, nil) }
            sqlite3_bind_text(stmt, 1, "340321100", -1, transient)
            sqlite3_bind_text(stmt, 2, days[i / 500], -1, transient)
            sqlite3_bind_text(stmt, 3, items[i % 500], -1, transient)
            for c in 0..<cols.count { sqlite3_bind_int64(stmt, Int32(4 + c), Int64((c * 7 + i) % 50)) }
            sqlite3_bind_int64(stmt, Int32(4 + cols.count), Int64(i + 1))
            sqlite3_bind_int64(stmt, Int32(5 + cols.count), Int64(i + 1))
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw SanjiError(.io, String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(stmt)
            if i % 1000 == 999 || i == rows - 1 { sqlite3_exec(db, "COMMIT", nil, nil, nil) }
        }
        return Double(rows) / Date().timeIntervalSince(start)
    }
}
