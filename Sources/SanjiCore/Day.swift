/// A civil date (no time, no zone): the unit in which Sanji cuts its figures.
///
/// Stored as the number of days since 1970-01-01 so that arithmetic and comparison are
/// integer operations; printed and parsed as ISO 8601 `YYYY-MM-DD`.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public let number: Int

    /// The day `number` days after 1970-01-01.
    public init(number: Int) { self.number = number }

    /// Days from civil (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(year: year, month: month) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = era * 146_097 + doe - 719_468
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        guard let parsed = s.withUTF8({ Day(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes (the wire decoder's path: no String made).
    public init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let y = Day.digits(u, 0, 4), let m = Day.digits(u, 5, 2), let d = Day.digits(u, 8, 2),
              let day = Day(year: y, month: m, day: d)
        else { return nil }
        self = day
    }

    /// Why `text` is not a day, or nil when it is one: a well-formed date the calendar lacks is
    /// called so ("there is no 2026-02-30 (2026-02 has 28 days)"), anything else not a date.
    public static func problem(_ text: String) -> String? {
        if Day(text) != nil { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
            guard (1...12).contains(m) else { return "there is no month \(m)" }
            return "there is no \(text) (\(parts[0])-\(parts[1]) has \(daysIn(year: y, month: m)) days)"
        }
        return "not a date; use YYYY-MM-DD"
    }

    /// Year, month and day (civil from days, Howard Hinnant's algorithm).
    public var components: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let w = (number + 3) % 7  // 1970-01-01 was a Thursday (ISO 4)
        return (w < 0 ? w + 7 : w) + 1
    }

    /// Saturday or Sunday; whether it is a working day is the `WorkCalendar`'s to say.
    public var isWeekend: Bool { weekday >= 6 }

    /// The day `days` later (earlier when negative).
    public func adding(days: Int) -> Day { Day(number: number + days) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return "\(Day.pad(y, 4))-\(Day.pad(m, 2))-\(Day.pad(d, 2))" }
        return String(unsafeUninitializedCapacity: 10) { Day.writeISO(y, m, d, into: $0.baseAddress!) }
    }

    /// The bytes of `YYYY-MM-DD` handed to `body` without making a String (the wire encoder's and
    /// the upserts' path, once for every row).
    public func withISOBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let (y, m, d) = components
        guard (0...9999).contains(y) else {
            var text = description
            return try text.withUTF8(body)
        }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            _ = Day.writeISO(y, m, d, into: buffer.baseAddress!)
            return try body(UnsafeBufferPointer(buffer))
        }
    }

    /// Writes `YYYY-MM-DD` (a year of four digits) at `p`; returns 10.
    private static func writeISO(_ y: Int, _ m: Int, _ d: Int, into p: UnsafeMutablePointer<UInt8>) -> Int {
        let zero = UInt8(ascii: "0")
        p[0] = zero + UInt8(y / 1000); p[1] = zero + UInt8(y / 100 % 10); p[2] = zero + UInt8(y / 10 % 10); p[3] = zero + UInt8(y % 10)
        p[4] = UInt8(ascii: "-"); p[5] = zero + UInt8(m / 10); p[6] = zero + UInt8(m % 10)
        p[7] = UInt8(ascii: "-"); p[8] = zero + UInt8(d / 10); p[9] = zero + UInt8(d % 10)
        return 10
    }

    /// Earlier first.
    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }

    /// Days in a month of the proleptic Gregorian calendar (29 in a leap February).
    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ u: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for i in start..<(start + count) {
            let c = u[i]
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    /// `n` in decimal, zero-padded on the left to `width` digits.
    public static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// An inclusive range of days: the period a figure covers.
public struct Period: Hashable, Sendable {
    /// The first day.
    public let from: Day
    /// The last day, included.
    public let to: Day

    /// The days from `from` through `to`.
    public init(from: Day, to: Day) {
        self.from = from
        self.to = to
    }

    /// Whether `day` lies in the period, both ends included.
    public func contains(_ day: Day) -> Bool { day >= from && day <= to }

    /// A calendar month; nil for a month that is not 1…12.
    public static func month(year: Int, month: Int) -> Period? {
        guard let first = Day(year: year, month: month, day: 1),
              let last = Day(year: year, month: month, day: Day.daysIn(year: year, month: month))
        else { return nil }
        return Period(from: first, to: last)
    }

    /// A calendar year, 1 January through 31 December.
    public static func year(_ year: Int) -> Period? {
        guard let first = Day(year: year, month: 1, day: 1), let last = Day(year: year, month: 12, day: 31) else { return nil }
        return Period(from: first, to: last)
    }
}
