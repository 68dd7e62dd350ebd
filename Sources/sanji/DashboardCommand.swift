import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

struct Dashboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The figures of this node and everything below it, over a period.",
        discussion: """
            Every figure comes from summary rows, exception records and the catalogue, as docs/figures.md defines
            it, and stands as at the period's end (or now, while the period runs): a 差评 rectified after a month
            ended is unrectified in that month's figures. Percentages print to 0.01 % as the county rounds them
            (sanji catalog settings --rounding); JSON carries fractions at full precision.
              sanji dashboard --month 2026-10
              sanji dashboard --year 2026 --format json
              sanji dashboard --from 2026-01-01 --to 2026-06-30 --format csv
              sanji dashboard --by township --month 2026-10      # each township, its villages beneath
              sanji dashboard --watch 5                          # refresh every 5 s; q leaves
            The default period is the year to date.
            """)

    @OptionGroup var period: PeriodOptions
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @Option(help: ArgumentHelp("Labels of the table: zh or en.", valueName: "lang")) var lang: DashboardReport.Language = .zh
    @Option(help: ArgumentHelp("Break the figures down: township (villages rolled up beneath each), node, department, item, window or staff (工号: a station's own, others' where the county lets them travel).", valueName: "kind"))
    var by: BreakdownKind?
    @Option(help: ArgumentHelp("With --by item: how many items (by 办件量).", valueName: "n")) var top: Int = 20
    @Option(help: ArgumentHelp("A node not heard from for this long is stale, not reporting (24h, 90m, 2d).", valueName: "duration"))
    var stale: String = "24h"
    @Flag(help: "Refresh in place, like top, every [seconds] (default 2); q or Ctrl-C leaves: sanji dashboard --watch 5") var watch = false
    @Argument(help: ArgumentHelp("With --watch: seconds between refreshes.", valueName: "seconds")) var seconds: Int?
    @Flag(help: "Show the monthly rollups being brought up to date (after a large catch-up) even when stderr is not a terminal.") var progress = false
    @OptionGroup var options: DataOptions

    func validate() throws {
        if DurationText.seconds(stale) == nil { throw ValidationError("--stale \(stale) is not a duration; e.g. 24h, 90m, 2d") }
        if watch, format != .table { throw ValidationError("--watch shows the table; leave out --format") }
        if let seconds {
            guard watch else { throw ValidationError("\(seconds): a number of seconds goes with --watch (sanji dashboard --watch \(seconds))") }
            if seconds < 1 { throw ValidationError("--watch \(seconds): refresh at most once a second") }
        }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func report(_ store: NodeStore) throws -> DashboardReport {
        let now = WallClock.system.now
        return try store.dashboard(period: period.period(today: store.zone.day(of: now)), now: now, staleAfter: DurationText.seconds(stale)!,
                                   breakdown: by.map { ($0, top) })
    }

    func run() throws {
        try Console.run {
            let store = try options.open()
            let language = lang
            if watch {
                try Watch.run(every: seconds ?? 2) { try report(store).table(zone: store.zone, language: language) }
                return
            }
            // After a large catch-up the monthly rollups are brought up to date first: seconds on a
            // county's store. Shown as it goes, on a terminal or with --progress.
            if progress || Console.stderrIsTerminal, try store.rollupsBehind() {
                let line = CountProgress("bringing the monthly rollups up to date", unit: "months", force: progress)
                _ = try store.refreshRollups(progress: line.update)
                line.finish()
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
