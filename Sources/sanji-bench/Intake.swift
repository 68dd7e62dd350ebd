import ArgumentParser
import Foundation
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiSpawn
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
                  sanji  the `sanji import cases` process, start to exit (through `peak-memory`, which reads its peak
                         resident set; starting it costs about a millisecond): decode, parse, validate every row
                         against the catalogue, deadlines on the calendar, idempotent upsert, summary rows,
                         exception records and revs.
                Then the same file with every row naming an item the catalogue lacks: the time until
                `sanji import` refuses it (nothing written). Each import's peak resident set is read from
                wait4's rusage: memory must stay flat whatever the file's size.
                  sanji-bench intake --rows 1000000
                  sanji-bench intake --rows 5000000 --no-raw     # the memory of a five-million-row file
                """)

        @Option(help: ArgumentHelp("How many cases.", valueName: "n")) var rows: Int = 1_000_000
        @Option(help: ArgumentHelp("Runs of each; the median is reported.", valueName: "n")) var runs: Int = 1
        @Option(help: ArgumentHelp("The share of cases past their deadline (each makes an exception record); a county sees about 0.01.", valueName: "fraction"))
        var overdue: Double = 0.02
        @Flag(help: "Skip the raw insert (a memory-only run).") var noRaw = false
        @Flag(help: "Skip the file whose every row is wrong.") var noBad = false
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
                let parsed = noRaw ? [] : RawLimits.parseCases(csv, zone: zone)
                let cluster = BenchCluster(base: base, sanji: options.binary)
                var rawTimes: [Double] = [], sanjiTimes: [Double] = [], peaks: [Int] = []
                func freshNode(_ name: String) throws -> String {
                    let node = base.appendingPathComponent(name).path
                    try? FileManager.default.removeItem(atPath: node)
                    try cluster.run(["init", "--id", "340321", "--name", "基准测试县", "--level", "county", "--data", node])
                    try cluster.run(["catalog", "import", itemsPath, "--data", node])
                    return node
                }
                for run in 1...runs {
                    if !noRaw {
                        let rawPath = base.appendingPathComponent("raw-\(run).sqlite").path
                        Bench.say("run \(run): raw SQLite insert …")
                        rawTimes.append(try RawLimits.insertCases(parsed, path: rawPath))
                        for p in [rawPath, rawPath + "-wal", rawPath + "-shm"] { try? FileManager.default.removeItem(atPath: p) }
                    }
                    let node = try freshNode("node-\(run)")
                    Bench.say("run \(run): sanji import cases …")
                    let start = Bench.now()
                    let (r, peak) = try SanjiBench.runMeasured(options.binary, ["import", "cases", csvPath, "--data", node], scratch: base)
                    sanjiTimes.append(Bench.now() - start)
                    peaks.append(peak)
                    guard r.status == 0, r.stdout.contains(" \(Bench.n(rows)) new") else { throw BenchError("expected \(rows) new cases: \(r.stdout)\(r.stderr)") }
                    try? FileManager.default.removeItem(atPath: node)
                }
                var bad: (seconds: Double, peakKiB: Int)?
                if !noBad {
                    Bench.say("the same file with an unknown item on every row …")
                    let badPath = base.appendingPathComponent("bad-cases.csv").path
                    try csv.replacingOccurrences(of: ",BENCH", with: ",NOSUCH").write(toFile: badPath, atomically: false, encoding: .utf8)
                    let node = try freshNode("node-bad")
                    let start = Bench.now()
                    let (r, peak) = try SanjiBench.runMeasured(options.binary, ["import", "cases", badPath, "--data", node], scratch: base)
                    bad = (Bench.now() - start, peak)
                    guard r.status == 1, r.stderr.contains("rejected, nothing was imported: \(Bench.n(rows)) problems") else {
                        throw BenchError("expected the bad file to be refused for \(rows) problems: \(r.stderr.suffix(500))")
                    }
                    try? FileManager.default.removeItem(atPath: node)
                    try? FileManager.default.removeItem(atPath: badPath)
                }
                let raw = noRaw ? nil : Double(rows) / Bench.median(rawTimes), sanji = Double(rows) / Bench.median(sanjiTimes)
                let peak = Double(peaks.max() ?? 0) / 1024
                var lines = [
                    "intake, \(Bench.n(rows)) cases (\(String(format: "%.0f", overdue * 100)) % past their deadline), \(Bench.build) build, median of \(runs), files in \(base.path)",
                ]
                if let raw { lines.append("  raw SQLite insert (C API, same table)  \(Bench.rate(raw)) rows/s") }
                lines.append("  sanji import cases (the process)       \(Bench.rate(sanji)) rows/s\(runs > 1 ? "  (runs: \(sanjiTimes.map { Bench.rate(Double(rows) / $0) }.joined(separator: ", ")))" : "")")
                if let raw { lines.append("  ratio                                  \(String(format: "%.2f", sanji / raw))  (goal ≥ 0.6)") }
                lines.append("  peak resident set of the import        \(String(format: "%.1f", peak)) MiB  (goal < 100 MiB)")
                if let bad {
                    lines.append("  every row wrong: refused after         \(String(format: "%.2f", bad.seconds)) s, peak \(String(format: "%.1f", Double(bad.peakKiB) / 1024)) MiB  (goal < 10 s)")
                }
                var json: [(String, JSONValue)] = [
                    ("scenario", .string("intake")), ("rows", .int(rows)), ("build", .string(Bench.build)), ("runs", .int(runs)),
                    ("overdue", .double(overdue)), ("sanji_rows_per_s", .int(Int(sanji))), ("peak_mib", .double(peak)),
                ]
                if let raw { json += [("raw_rows_per_s", .int(Int(raw))), ("ratio", .double(sanji / raw))] }
                if let bad { json += [("bad_file_seconds", .double(bad.seconds)), ("bad_file_peak_mib", .double(Double(bad.peakKiB) / 1024))] }
                options.report(lines, .object(json))
            }
        }
    }
}
