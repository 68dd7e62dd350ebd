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
            let now = WallClock.system.now
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
