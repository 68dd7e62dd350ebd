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

extension String {
    /// Trims ASCII and ideographic spaces, tabs, line ends and a stray BOM (what spreadsheets
    /// leave around a cell). Returns the text as is when there is nothing to trim (the hot path
    /// of every import).
    public var trimmingSpaces: String {
        let u = utf8
        guard let first = u.first, let last = u.last else { return "" }
        // Spaces are ASCII, U+3000 (E3 80 80) or U+FEFF (EF BB BF): check the edge bytes first.
        let edgeFirst = first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D || first == 0xE3 || first == 0xEF
        let edgeLast = last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D || last == 0x80 || last == 0xBF
        if !edgeFirst, !edgeLast { return String(self) }
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" || s == "\u{3000}" || s == "\u{FEFF}" }
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(self[start..<end])
    }
}
