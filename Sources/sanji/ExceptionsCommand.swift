import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

struct Exceptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The overdue cases and 差评 behind a period's figures, in this node's subtree, as at its end.",
        discussion: """
            Cases: open past their deadline at the period's end (期末超期未办结), or completed late within it (超期办结),
            with the working days overdue. 差评: those of the period, and earlier ones still unrectified when it began,
            with their 整改, 回访 and 申诉 as they stood at its end. Each station sends these records up with its
            summary rows; they hold the 办件编号 or 评价编号, never the applicant's name or id.
              sanji exceptions --month 2026-10
              sanji exceptions --month 2026-10 --kind overdue --format csv
              sanji exceptions --from 2026-01-01 --to 2026-06-30 --format json
            The default period is the year to date.
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case overdue
        case badReview = "bad-review"
    }

    @OptionGroup var period: PeriodOptions
    @Option(help: ArgumentHelp("Only overdue cases, or only bad reviews (差评).", valueName: "overdue|bad-review")) var kind: Kind?
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            let store = try options.open()
            let now = WallClock.system.now
            let kinds: Set<ExceptionList.Kind> = kind.map { [$0 == .overdue ? .overdue : .badReview] } ?? Set(ExceptionList.Kind.allCases)
            let list = try store.exceptions(period: period.period(today: store.zone.day(of: now)), now: now, kinds: kinds)
            let names = try store.nodeNames()
            switch format {
            case .json: print(list.json(names: names).render())
            case .csv: print(list.csv(kinds: kinds), terminator: "")
            case .table: print(list.table(names: names, kinds: kinds), terminator: "")
            }
        }
    }
}
