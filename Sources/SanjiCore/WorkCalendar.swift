/// The working-day calendar: Monday to Friday, less the holidays, plus the 调休 weekend days
/// that are worked. It travels with the catalogue from the root.
public struct WorkCalendar: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case holiday, workday

        public init?(text: String) {
            switch text.trimmingSpaces.lowercased() {
            case "holiday", "休", "休息", "假", "假日", "节假日", "off": self = .holiday
            case "workday", "班", "上班", "调休上班", "work": self = .workday
            default: return nil
            }
        }
    }

    public private(set) var exceptions: [Day: Kind]

    public init(exceptions: [Day: Kind] = [:]) { self.exceptions = exceptions }

    public func isWorkingDay(_ day: Day) -> Bool {
        switch exceptions[day] {
        case .holiday: return false
        case .workday: return true
        case nil: return !day.isWeekend
        }
    }

    /// The promised deadline of a case accepted on `accepted` with a limit of `workingDays`:
    /// the same day for 即办件 (0), else the Nth working day after the day of acceptance.
    public func deadline(acceptedOn accepted: Day, workingDays: Int) -> Day {
        guard workingDays > 0 else { return accepted }
        var day = accepted
        var left = workingDays
        while left > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// Working days in `from...to` (both included), e.g. to age a 差评 against its 整改 limit.
    public func workingDays(from: Day, through to: Day) -> Int {
        guard from <= to else { return 0 }
        var n = 0
        var d = from
        while d <= to {
            if isWorkingDay(d) { n += 1 }
            d = d.adding(days: 1)
        }
        return n
    }
}

extension StringProtocol {
    /// Trims ASCII and ideographic spaces, tabs and line ends (what spreadsheets leave around a cell).
    public var trimmingSpaces: String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" || s == "\u{3000}" || s == "\u{FEFF}" }
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}
