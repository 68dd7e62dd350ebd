import ArgumentParser
import Foundation
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiStore

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate realistic activity at this node for demos and tests (seeded, reproducible).",
        discussion: """
            Makes cases, evaluations and 咨询 for the items this level handles over the last --days days (or
            --days from --from), spread over the station's windows in service, writes them as cases.csv,
            evals.csv and consults.csv and imports them through the normal import path.
              sanji simulate --days 21 --cases-per-day 40 --seed 7
              sanji simulate --from 2025-11-01 --days 30 --seed 8        # last year's November, for 同比
            """)

    @Option(help: ArgumentHelp("How many days back from today (or from --from on).", valueName: "n")) var days: Int = 21
    @Option(help: ArgumentHelp("The first day, YYYY-MM-DD (default: --days back from today).", valueName: "day")) var from: String?
    @Option(help: ArgumentHelp("Cases on an ordinary working day.", valueName: "n")) var casesPerDay: Int = 40
    @Option(help: ArgumentHelp("Seed: the same seed makes the same activity.", valueName: "n")) var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Also keep the generated CSV files in this directory.", valueName: "dir")) var keep: String?
    @OptionGroup var options: DataOptions

    func validate() throws {
        guard (1...3660).contains(days) else { throw ValidationError("--days must be 1 to 3660") }
        guard (0...100_000).contains(casesPerDay) else { throw ValidationError("--cases-per-day must be 0 to 100000") }
        if let from, Day(from) == nil { throw ValidationError("--from \(from) is not a day; use YYYY-MM-DD") }
    }

    func run() throws {
        try Console.run {
            let store = try options.open()
            let catalog = try store.catalog()
            if catalog.items.isEmpty {
                throw SanjiError(.invalidArgument, "this node holds no catalogue yet", hint: "import one at the root with `sanji catalog import items.csv`")
            }
            let now = WallClock.system.now
            let today = store.zone.day(of: now)
            let sim = ActivitySimulator(catalog: catalog, level: store.identity.level, zone: store.zone, nodeId: store.identity.id)
            let windows = try store.windows().filter { $0.retiredAt == nil }.map(\.id)
            let first = from.flatMap { Day($0) } ?? today.adding(days: -(days - 1))
            let out = sim.generate(.init(firstDay: first, days: days, casesPerDay: casesPerDay, seed: seed, now: now, windows: windows))
            if let keep {
                try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
                try out.cases.write(toFile: keep + "/cases.csv", atomically: true, encoding: .utf8)
                try out.evaluations.write(toFile: keep + "/evals.csv", atomically: true, encoding: .utf8)
                try out.consultations.write(toFile: keep + "/consults.csv", atomically: true, encoding: .utf8)
            }
            let cases = try store.importCases(name: "simulated cases.csv", bytes: Array(out.cases.utf8), options: ImportOptions(now: now))
            let evals = try store.importEvaluations(name: "simulated evals.csv", bytes: Array(out.evaluations.utf8), options: ImportOptions(now: now))
            _ = try store.importConsultations(name: "simulated consults.csv", bytes: Array(out.consultations.utf8), options: ImportOptions(now: now))
            print("simulated \(days) days at \(store.identity.id): \(NumberText.thousands(cases.new)) new cases (\(NumberText.thousands(cases.updated)) updated), \(NumberText.thousands(evals.new)) new evaluations (\(NumberText.thousands(evals.updated)) updated)")
        }
    }
}
