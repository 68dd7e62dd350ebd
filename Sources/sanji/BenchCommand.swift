import ArgumentParser
import Foundation
import GRDBSQLite
import SanjiCore
import SanjiStore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, each beside the physical limit measured in the same run.",
        subcommands: [Suite.self, Intake.self, Uplink.self, FanIn.self, Relay.self, Resync.self, FanOut.self, DashboardScenario.self])

    struct Intake: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import generated cases and compare with a raw SQLite insert of the same rows.",
            discussion: """
                Generates --rows cases as a cases.csv, then measures, in the same directory (same file system):
                  raw    the same rows, already in memory, inserted with the SQLite C API into the same
                         cases table (one transaction, one prepared statement, WAL): the physical limit;
                  sanji  `sanji import cases` of the file: decode, parse, validate every row against the
                         catalogue, deadlines on the calendar, idempotent upsert, summary rows and revs.
                Build in release for meaningful figures:
                  swift build -c release && .build/release/sanji bench intake --rows 1000000
                """)

        @Option(help: ArgumentHelp("How many cases.", valueName: "n")) var rows: Int = 1_000_000
        @Option(help: ArgumentHelp("Where to put the files (default: a new temporary directory).", valueName: "dir")) var dir: String?
        @Option(help: ArgumentHelp("Runs of each; the median is reported.", valueName: "n")) var runs: Int = 1
        @Flag(help: "Print the result as JSON.") var json = false

        func run() throws {
            try Console.run {
                let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory() + "sanji-bench-\(getpid())")
                try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
                let zone = ZoneRule.shanghai
                let now = Timestamp.now()
                // A county catalogue: 200 items at every level, a mix of 承诺时限.
                var catalogCSV = CatalogParsing.itemColumns.joined(separator: ",") + "\n"
                for i in 0..<200 {
                    catalogCSV += "BENCH\(Day.pad(i, 4)),事项\(i),\(i % 3 == 0 ? "20" : "01"),县数据资源局,county|township|village,\(20 + i % 10),\([0, 1, 3, 5, 10][i % 5]),\(1 + i % 4),\(i % 3),active\n"
                }
                Console.error("generating \(NumberText.thousands(rows)) cases …")
                let csv = BenchData.cases(rows: rows, zone: zone, now: now)
                let csvPath = base.appendingPathComponent("cases.csv").path
                try csv.write(toFile: csvPath, atomically: false, encoding: .utf8)
                let parsed = BenchData.parse(csv, zone: zone)

                var rawTimes: [Double] = []
                var sanjiTimes: [Double] = []
                for run in 1...runs {
                    let rawPath = base.appendingPathComponent("raw-\(run).sqlite").path
                    Console.error("run \(run): raw SQLite insert …")
                    rawTimes.append(try BenchData.rawInsert(parsed, path: rawPath))
                    let nodeDir = base.appendingPathComponent("node-\(run)")
                    let store = try NodeStore.create(in: nodeDir, identity: NodeIdentity(id: "340321", name: "基准测试县", level: .county))
                    _ = try store.importCatalog(name: "bench-items.csv", bytes: Array(catalogCSV.utf8))
                    Console.error("run \(run): sanji import cases …")
                    let start = Date()
                    let report = try store.importCases(name: csvPath, bytes: try Console.read(csvPath), options: ImportOptions(now: now))
                    sanjiTimes.append(Date().timeIntervalSince(start))
                    guard report.new == rows else { throw SanjiError(.importRejected, "expected \(rows) new cases, got \(report.new)") }
                    for p in [rawPath, rawPath + "-wal", rawPath + "-shm"] { try? FileManager.default.removeItem(atPath: p) }
                    try? FileManager.default.removeItem(at: nodeDir)
                }
                let raw = Double(rows) / median(rawTimes)
                let sanji = Double(rows) / median(sanjiTimes)
                #if DEBUG
                let build = "debug"
                #else
                let build = "release"
                #endif
                if json {
                    print(JSONValue.object([
                        ("scenario", .string("intake")), ("rows", .int(rows)), ("build", .string(build)), ("runs", .int(runs)),
                        ("raw_rows_per_s", .int(Int(raw))), ("sanji_rows_per_s", .int(Int(sanji))), ("ratio", .double(sanji / raw)),
                    ]).render())
                } else {
                    print("intake, \(NumberText.thousands(rows)) cases, \(build) build, median of \(runs), files in \(base.path)")
                    print("  raw SQLite insert (C API, same table)  \(NumberText.thousands(Int(raw))) rows/s")
                    print("  sanji import cases (CSV → store)       \(NumberText.thousands(Int(sanji))) rows/s")
                    print("  ratio                                  \(String(format: "%.2f", sanji / raw))  (goal ≥ 0.33)")
                }
                if dir == nil { try? FileManager.default.removeItem(at: base) }
            }
        }

        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    }
}

/// The rows both sides of the intake benchmark write.
enum BenchData {
    struct Row {
        var caseNo, item, channel, deadline: String
        var acceptedAt: Int64
        var completedAt: Int64?
        var outcome: String?
        var visits: Int64?
        var name, id: String
    }

    /// Cases spread over the last year, three in four completed.
    static func cases(rows: Int, zone: ZoneRule, now: Timestamp) -> String {
        var rng = SeededRandom(seed: 42)
        var out = ActivitySimulator.caseHeader + "\n"
        out.reserveCapacity(rows * 130)
        let channels = ["window", "online", "mobile", "kiosk", "agent"]
        let start = now.seconds - 365 * 86_400
        for i in 0..<rows {
            // Accepted over the year up to 12 days ago; completions come at most ~10.4 days later.
            let accepted = Timestamp(seconds: start + Int64(i) * (353 * 86_400) / Int64(max(rows, 1)))
            let item = "BENCH\(Day.pad(Int.random(in: 0..<200, using: &rng), 4))"
            out += "C\(Day.pad(i, 10)),\(item),\(zone.format(accepted)),\(channels[i % 5]),"
            if i % 4 != 0 {
                out += "\(zone.format(Timestamp(seconds: accepted.seconds + Int64.random(in: 600...900_000, using: &rng)))),approved,\(i % 3),"
            } else {
                out += ",,,"
            }
            out += "\(i % 5 == 4 ? 1 : 0),张三,34032119800101\(Day.pad(i % 10_000, 4))\n"
        }
        return out
    }

    static func parse(_ csv: String, zone: ZoneRule) -> [Row] {
        var reader = CSVReader(bytes: Array(csv.utf8))
        _ = reader.next()
        var rows: [Row] = []
        while let r = reader.next() {
            let f = r.fields
            let acc = zone.parse(f[2])!
            rows.append(Row(caseNo: f[0], item: f[1], channel: f[3], deadline: zone.day(of: acc).description, acceptedAt: acc.seconds,
                            completedAt: f[4].isEmpty ? nil : zone.parse(f[4])!.seconds, outcome: f[5].isEmpty ? nil : f[5],
                            visits: Int64(f[6]), name: f[8], id: f[9]))
        }
        return rows
    }

    /// Inserts `rows` with the C API into a table shaped like Sanji's cases table; returns seconds.
    static func rawInsert(_ rows: [Row], path: String) throws -> Double {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw SanjiError(.io, "cannot open \(path)") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw SanjiError(.io, String(cString: sqlite3_errmsg(db))) }
        }
        try exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        try exec("""
            CREATE TABLE cases (case_no TEXT PRIMARY KEY NOT NULL, item_code TEXT NOT NULL, accepted_at INTEGER NOT NULL,
              channel TEXT NOT NULL, assisted INTEGER NOT NULL, deadline TEXT NOT NULL, completed_at INTEGER, outcome TEXT,
              visits INTEGER, applicant_name TEXT, applicant_id TEXT) WITHOUT ROWID;
            CREATE INDEX cases_open ON cases (deadline) WHERE completed_at IS NULL;
            """)
        let start = Date()
        try exec("BEGIN")
        var stmt: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &stmt, nil)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for r in rows {
            sqlite3_bind_text(stmt, 1, r.caseNo, -1, transient)
            sqlite3_bind_text(stmt, 2, r.item, -1, transient)
            sqlite3_bind_int64(stmt, 3, r.acceptedAt)
            sqlite3_bind_text(stmt, 4, r.channel, -1, transient)
            sqlite3_bind_int64(stmt, 5, 0)
            sqlite3_bind_text(stmt, 6, r.deadline, -1, transient)
            if let c = r.completedAt { sqlite3_bind_int64(stmt, 7, c) } else { sqlite3_bind_null(stmt, 7) }
            if let o = r.outcome { sqlite3_bind_text(stmt, 8, o, -1, transient) } else { sqlite3_bind_null(stmt, 8) }
            if let v = r.visits { sqlite3_bind_int64(stmt, 9, v) } else { sqlite3_bind_null(stmt, 9) }
            sqlite3_bind_text(stmt, 10, r.name, -1, transient)
            sqlite3_bind_text(stmt, 11, r.id, -1, transient)
            guard sqlite3_step(stmt) == SQLITE_DONE else { throw SanjiError(.io, String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(stmt)
        }
        sqlite3_finalize(stmt)
        try exec("COMMIT")
        return Date().timeIntervalSince(start)
    }
}
