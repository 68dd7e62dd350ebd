import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports for the county's departments and government.",
        subcommands: [Monthly.self])

    struct Monthly: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The 窗口工作月度通报 of a month: levels, townships ranked, departments, month-on-month change, 差评, overdue, stale stations.",
            discussion: """
                  sanji report monthly 2026-10 --data ./county                          # Markdown on stdout
                  sanji report monthly 2026-10 --format html --out 2026-10-通报.html --data ./county
                The HTML is one self-contained file (inline CSS and SVG charts) that prints on A4.
                Every figure and list stands as at the month's end; a month still running is reported as at today
                (截至 today), and a month that has not begun is refused.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case md, html, csv }

        @Argument(help: "The month, YYYY-MM.") var month: String
        @Option(help: "md, html or csv.") var format: Format = .md
        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var out: String?
        @Option(help: ArgumentHelp("A node not heard from for this long is stale (24h, 2d …).", valueName: "duration")) var stale: String = "24h"
        @OptionGroup var options: DataOptions

        func validate() throws {
            if PeriodOptions.parseMonth(month) == nil { throw ValidationError("\(month) is not a month; use YYYY-MM, e.g. 2026-10") }
            if DurationText.seconds(stale) == nil { throw ValidationError("--stale \(stale) is not a duration") }
        }

        func run() throws {
            try Console.run {
                let store = try options.open()
                let period = PeriodOptions.parseMonth(month)!
                let (y, m, _) = period.from.components
                let prev = Period.month(year: m == 1 ? y - 1 : y, month: m == 1 ? 12 : m - 1)!
                let now = WallClock.system.now
                let today = store.zone.day(of: now)
                guard period.from <= today else {
                    throw SanjiError(.invalidArgument, "\(month) has not begun (today is \(today)); a 通报 reports a month that has begun",
                                     hint: "a month still running is reported as at today: sanji report monthly \(String(today.description.prefix(7)))")
                }
                let staleAfter = DurationText.seconds(stale)!
                let current = try store.dashboard(period: period, now: now, staleAfter: staleAfter, breakdown: (.township, 0))
                let departments = try store.dashboard(period: period, now: now, staleAfter: staleAfter, breakdown: (.department, 0)).breakdown?.rows ?? []
                let previous = try store.dashboard(period: prev, now: now, staleAfter: staleAfter)
                let exceptions = try store.exceptions(period: period, now: now)
                let report = MonthlyReport(year: y, month: m, current: current, departments: departments, previous: previous, exceptions: exceptions)
                let text: String
                switch format {
                case .md: text = report.markdown(zone: store.zone)
                case .html: text = report.html(zone: store.zone)
                case .csv: text = report.csv()
                }
                if let out {
                    do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                        throw SanjiError(.io, "cannot write \(out): \(error.localizedDescription)")
                    }
                    print("wrote \(out)")
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}
