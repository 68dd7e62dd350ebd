/// The working-day calendar: Monday to Friday, less the holidays, plus the 调休 weekend days
/// that are worked. It travels with the catalogue from the root.
public struct WorkCalendar: Sendable, Equatable {
    /// What a calendar entry makes of a day: a holiday off, or a 调休 weekend day worked.
    public enum Kind: String, Sendable, CaseIterable {
        case holiday, workday

        /// Reads a calendar.csv `kind`: holiday (休, 假, 节假日 …) or workday (班, 上班, 调休上班 …); nil otherwise.
        public init?(text: String) {
            switch text.trimmingSpaces.lowercased() {
            case "holiday", "休", "休息", "假", "假日", "节假日", "off": self = .holiday
            case "workday", "班", "上班", "调休上班", "work": self = .workday
            default: return nil
            }
        }
    }

    /// The days that break the Monday-to-Friday rule: holidays, and weekend days worked.
    public private(set) var exceptions: [Day: Kind]

    /// A calendar with the given exceptions; with none, every Monday to Friday is worked.
    public init(exceptions: [Day: Kind] = [:]) { self.exceptions = exceptions }

    /// Whether `day` is worked: as its exception says if it has one, else Monday to Friday.
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
