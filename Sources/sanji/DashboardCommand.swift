import ArgumentParser
import Foundation
import SanjiCore
import SanjiStore

struct Dashboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The figures of this node and everything below it, over a period.",
        discussion: """
            Every figure comes from summary rows and the catalogue, computed as DESIGN.md defines it.
            Percentages in the table are cut (not rounded) to 0.01 %; JSON carries fractions at full precision.
              sanji dashboard --month 2026-10
              sanji dashboard --year 2026 --format json
              sanji dashboard --from 2026-01-01 --to 2026-06-30 --format csv
              sanji dashboard --by township --month 2026-10      # each township, its villages beneath
              sanji dashboard --watch 5                          # refresh every 5 s; q leaves
            The default period is the year to date.
            """)

    @Option(help: ArgumentHelp("First day (YYYY-MM-DD).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Last day, included (YYYY-MM-DD; default today).", valueName: "date")) var to: String?
    @Option(help: ArgumentHelp("A whole year.", valueName: "yyyy")) var year: Int?
    @Option(help: ArgumentHelp("A whole month.", valueName: "yyyy-mm")) var month: String?
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @Option(help: ArgumentHelp("Labels of the table: zh or en.", valueName: "lang")) var lang: String = "zh"
    @Option(help: ArgumentHelp("Break the figures down: township (villages rolled up beneath each), node, department or item.", valueName: "kind"))
    var by: String?
    @Option(help: ArgumentHelp("With --by item: how many items (by 办件量).", valueName: "n")) var top: Int = 20
    @Option(help: ArgumentHelp("A node not heard from for this long is stale, not reporting (24h, 90m, 2d).", valueName: "duration"))
    var stale: String = "24h"
    @Flag(help: "Refresh in place, like top, every [seconds] (default 2); q or Ctrl-C leaves: sanji dashboard --watch 5") var watch = false
    @Argument(help: ArgumentHelp("With --watch: seconds between refreshes.", valueName: "seconds")) var seconds: Int?
    @OptionGroup var options: DataOptions

    func validate() throws {
        let chosen = [from != nil || to != nil, year != nil, month != nil].filter { $0 }.count
        if chosen > 1 { throw ValidationError("choose one period: --from/--to, --year or --month") }
        if let from, Day(from) == nil { throw ValidationError("--from \(from) is not a date; use YYYY-MM-DD") }
        if let to, Day(to) == nil { throw ValidationError("--to \(to) is not a date; use YYYY-MM-DD") }
        if let from, let to, let a = Day(from), let b = Day(to), a > b { throw ValidationError("--from \(from) is after --to \(to)") }
        if let month, Self.parseMonth(month) == nil { throw ValidationError("--month \(month) is not a month; use YYYY-MM, e.g. 2026-10") }
        if let year, Period.year(year) == nil || year < 1900 || year > 9999 { throw ValidationError("--year \(year) is not a year") }
        if DashboardReport.Language(rawValue: lang) == nil { throw ValidationError("--lang \(lang): use zh or en") }
        if let by, BreakdownKind(rawValue: by) == nil { throw ValidationError("--by \(by): use township, node, department or item") }
        if DurationText.seconds(stale) == nil { throw ValidationError("--stale \(stale) is not a duration; e.g. 24h, 90m, 2d") }
        if watch, format != .table { throw ValidationError("--watch shows the table; leave out --format") }
        if let seconds {
            guard watch else { throw ValidationError("\(seconds): a number of seconds goes with --watch (sanji dashboard --watch \(seconds))") }
            if seconds < 1 { throw ValidationError("--watch \(seconds): refresh at most once a second") }
        }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    static func parseMonth(_ text: String) -> Period? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return Period.month(year: y, month: m)
    }

    func period(today: Day) -> Period {
        if let year { return Period.year(year)! }
        if let month { return Self.parseMonth(month)! }
        let end = to.flatMap { Day($0) } ?? today
        let (y, _, _) = end.components
        return Period(from: from.flatMap { Day($0) } ?? Day(year: y, month: 1, day: 1)!, to: end)
    }

    func report(_ store: NodeStore) throws -> DashboardReport {
        let now = Timestamp.now()
        return try store.dashboard(period: period(today: store.zone.day(of: now)), now: now, staleAfter: DurationText.seconds(stale)!,
                                   breakdown: by.flatMap { BreakdownKind(rawValue: $0) }.map { ($0, top) })
    }

    func run() throws {
        try Console.run {
            let store = try options.open()
            let language = DashboardReport.Language(rawValue: lang)!
            if watch {
                try Watch.run(every: seconds ?? 2) { try report(store).table(zone: store.zone, language: language) }
                return
            }
            let r = try report(store)
            switch format {
            case .json: print(r.json(zone: store.zone).render())
            case .csv: print(r.csv(zone: store.zone), terminator: "")
            case .table: print(r.table(zone: store.zone, language: language), terminator: "")
            }
        }
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate realistic activity at this node for demos and tests (seeded, reproducible).",
        discussion: """
            Makes cases and evaluations for the items this level handles over the last --days days,
            writes them as cases.csv/evals.csv files and imports them through the normal import path.
              sanji simulate --days 21 --cases-per-day 40 --seed 7
            """)

    @Option(help: ArgumentHelp("How many days back from today.", valueName: "n")) var days: Int = 21
    @Option(help: ArgumentHelp("Cases on an ordinary working day.", valueName: "n")) var casesPerDay: Int = 40
    @Option(help: ArgumentHelp("Seed: the same seed makes the same activity.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Also keep the generated CSV files in this directory.", valueName: "dir")) var keep: String?
    @OptionGroup var options: DataOptions

    func validate() throws {
        guard (1...3660).contains(days) else { throw ValidationError("--days must be 1 to 3660") }
        guard (0...100_000).contains(casesPerDay) else { throw ValidationError("--cases-per-day must be 0 to 100000") }
    }

    func run() throws {
        try Console.run {
            let store = try options.open()
            let catalog = try store.catalog()
            if catalog.items.isEmpty {
                throw SanjiError(.invalidArgument, "this node holds no catalogue yet", hint: "import one at the root with `sanji catalog import items.csv`")
            }
            let now = Timestamp.now()
            let today = store.zone.day(of: now)
            let sim = ActivitySimulator(catalog: catalog, level: store.identity.level, zone: store.zone, nodeId: store.identity.id)
            let out = sim.generate(.init(firstDay: today.adding(days: -(days - 1)), days: days, casesPerDay: casesPerDay, seed: seed, now: now))
            if let keep {
                try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
                try out.cases.write(toFile: keep + "/cases.csv", atomically: true, encoding: .utf8)
                try out.evaluations.write(toFile: keep + "/evals.csv", atomically: true, encoding: .utf8)
            }
            let cases = try store.importCases(name: "simulated cases.csv", bytes: Array(out.cases.utf8), options: ImportOptions(now: now))
            let evals = try store.importEvaluations(name: "simulated evals.csv", bytes: Array(out.evaluations.utf8), options: ImportOptions(now: now))
            print("simulated \(days) days at \(store.identity.id): \(NumberText.thousands(cases.new)) new cases (\(NumberText.thousands(cases.updated)) updated), \(NumberText.thousands(evals.new)) new evaluations (\(NumberText.thousands(evals.updated)) updated)")
        }
    }
}
