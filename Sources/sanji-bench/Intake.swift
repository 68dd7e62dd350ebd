import ArgumentParser
import Foundation
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiStore

extension SanjiBench {
    struct Intake: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import generated cases with `sanji import cases`, beside a raw SQLite insert of the same rows.",
            discussion: """
                Generates --rows cases (a year of them over 200 items, --overdue of them past their deadline) as a
                cases.csv, then measures, in the
                same directory (same file system):
                  raw    the same rows, already parsed in memory, inserted with the SQLite C API into a table of
                         Sanji's cases shape (one transaction, one prepared statement, WAL): the physical limit;
                  sanji  the `sanji import cases` process, start to exit: decode, parse, validate every row
                         against the catalogue, deadlines on the calendar, idempotent upsert, summary rows,
                         exception records and revs.
                  sanji-bench intake --rows 1000000
                """)

        @Option(help: ArgumentHelp("How many cases.", valueName: "n")) var rows: Int = 1_000_000
        @Option(help: ArgumentHelp("Runs of each; the median is reported.", valueName: "n")) var runs: Int = 1
        @Option(help: ArgumentHelp("The share of cases past their deadline (each makes an exception record); a county sees about 0.01.", valueName: "fraction"))
        var overdue: Double = 0.02
        @OptionGroup var options: BenchOptions

        func validate() throws {
            if rows < 1 || runs < 1 { throw ValidationError("--rows and --runs must be at least 1") }
            if !(0...1).contains(overdue) { throw ValidationError("--overdue is a share, from 0 to 1") }
        }

        func run() throws {
            try Bench.run {
                let base = try options.workspace("intake")
                defer { options.finish(base) }
                let zone = ZoneRule.shanghai
                let now = WallClock.system.now
                Bench.say("generating \(Bench.n(rows)) cases …")
                let csv = BenchData.yearOfCases(rows: rows, zone: zone, now: now, overdue: overdue)
                let csvPath = base.appendingPathComponent("cases.csv").path
                try csv.write(toFile: csvPath, atomically: false, encoding: .utf8)
                let itemsPath = base.appendingPathComponent("items.csv").path
                try BenchData.catalogCSV(items: 200).write(toFile: itemsPath, atomically: false, encoding: .utf8)
                let parsed = RawLimits.parseCases(csv, zone: zone)
                let cluster = BenchCluster(base: base, sanji: options.binary)
                var rawTimes: [Double] = [], sanjiTimes: [Double] = []
                for run in 1...runs {
                    let rawPath = base.appendingPathComponent("raw-\(run).sqlite").path
                    Bench.say("run \(run): raw SQLite insert …")
                    rawTimes.append(try RawLimits.insertCases(parsed, path: rawPath))
                    let node = base.appendingPathComponent("node-\(run)").path
                    try cluster.run(["init", "--id", "340321", "--name", "基准测试县", "--level", "county", "--data", node])
                    try cluster.run(["catalog", "import", itemsPath, "--data", node])
                    Bench.say("run \(run): sanji import cases …")
                    let start = Bench.now()
                    let out = try cluster.run(["import", "cases", csvPath, "--data", node])
                    sanjiTimes.append(Bench.now() - start)
                    guard out.contains(" \(Bench.n(rows)) new") else { throw BenchError("expected \(rows) new cases: \(out)") }
                    for p in [rawPath, rawPath + "-wal", rawPath + "-shm"] { try? FileManager.default.removeItem(atPath: p) }
                    try? FileManager.default.removeItem(atPath: node)
                }
                let raw = Double(rows) / Bench.median(rawTimes), sanji = Double(rows) / Bench.median(sanjiTimes)
                options.report([
                    "intake, \(Bench.n(rows)) cases (\(String(format: "%.0f", overdue * 100)) % past their deadline), \(Bench.build) build, median of \(runs), files in \(base.path)",
                    "  raw SQLite insert (C API, same table)  \(Bench.rate(raw)) rows/s",
                    "  sanji import cases (the process)       \(Bench.rate(sanji)) rows/s",
                    "  ratio                                  \(String(format: "%.2f", sanji / raw))  (goal ≥ 0.33)",
                ], .object([
                    ("scenario", .string("intake")), ("rows", .int(rows)), ("build", .string(Bench.build)), ("runs", .int(runs)),
                    ("overdue", .double(overdue)), ("raw_rows_per_s", .int(Int(raw))), ("sanji_rows_per_s", .int(Int(sanji))), ("ratio", .double(sanji / raw)),
                ]))
            }
        }
    }
}
