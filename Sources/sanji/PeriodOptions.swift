import ArgumentParser
import SanjiCore

/// The period a command's figures cover: --month, --year or --from/--to (default: the year to date).
struct PeriodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("First day (YYYY-MM-DD).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Last day, included (YYYY-MM-DD; default today).", valueName: "date")) var to: String?
    @Option(help: ArgumentHelp("A whole year.", valueName: "yyyy")) var year: Int?
    @Option(help: ArgumentHelp("A whole month.", valueName: "yyyy-mm")) var month: String?

    func validate() throws {
        let chosen = [from != nil || to != nil, year != nil, month != nil].filter { $0 }.count
        if chosen > 1 { throw ValidationError("choose one period: --from/--to, --year or --month") }
        if let from, let problem = Day.problem(from) { throw ValidationError("--from \(from): \(problem)") }
        if let to, let problem = Day.problem(to) { throw ValidationError("--to \(to): \(problem)") }
        if let from, let to, let a = Day(from), let b = Day(to), a > b { throw ValidationError("--from \(from) is after --to \(to)") }
        if let month, Self.parseMonth(month) == nil {
            let m = month.split(separator: "-").last.flatMap { Int($0) }
            if month.split(separator: "-").count == 2, let m, !(1...12).contains(m) { throw ValidationError("--month \(month): there is no month \(m)") }
            throw ValidationError("--month \(month) is not a month; use YYYY-MM, e.g. 2026-10")
        }
        if let year, Period.year(year) == nil || year < 1900 || year > 9999 { throw ValidationError("--year \(year) is not a year") }
    }

    static func parseMonth(_ text: String) -> Period? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[1].count <= 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return Period.month(year: y, month: m)
    }

    func period(today: Day) -> Period {
        if let year { return Period.year(year)! }
        if let month { return Self.parseMonth(month)! }
        let end = to.flatMap { Day($0) } ?? today
        let (y, _, _) = end.components
        return Period(from: from.flatMap { Day($0) } ?? Day(year: y, month: 1, day: 1)!, to: end)
    }
}
