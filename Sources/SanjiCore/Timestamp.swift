import Foundation

/// A point in time as whole seconds since the Unix epoch, and the rules for reading one from
/// text and cutting it into days in the deployment's time zone (never in UTC).
public struct Timestamp: Hashable, Comparable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64

    /// The moment `seconds` after the Unix epoch.
    public init(seconds: Int64) { self.seconds = seconds }

    /// Earlier comes first.
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }
}

/// Where the current time comes from. Core never reads the clock itself: the shells (the CLI,
/// `sanji serve`'s runtime, the benchmarks) hand one in (`WallClock.system`, defined where I/O
/// lives), and tests hand in a fixed or stepped one, so that whatever depends on "now" (deadlines,
/// periods as at their end, heartbeats) is tested at any time.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    /// A clock that reads milliseconds since the Unix epoch from `milliseconds`.
    public init(milliseconds: @escaping @Sendable () -> Int64) { read = milliseconds }

    /// Milliseconds since the Unix epoch.
    public func milliseconds() -> Int64 { read() }

    /// The current time, in whole seconds.
    public var now: Timestamp { Timestamp(seconds: read() / 1000) }

    /// A clock that stands still at `time`.
    public static func fixed(_ time: Timestamp) -> WallClock { WallClock { time.seconds * 1000 } }
}

/// The node's time zone: how local times without an offset are read and how days are cut.
public struct ZoneRule: Sendable {
    /// The IANA zone name, e.g. Asia/Shanghai.
    public let identifier: String
    private let zone: TimeZone
    /// Zones without DST (Asia/Shanghai) have one offset; it is cached to keep bulk imports fast.
    private let fixedOffset: Int?

    /// The rule for an IANA zone name; nil if the system does not know the zone.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
        let probes = [0, 4_000_000, 8_000_000, 12_000_000, 16_000_000, 20_000_000, 24_000_000, 28_000_000]
            .map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: 1_767_225_600 + Double($0))) }
        fixedOffset = Set(probes).count == 1 && zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 946_684_800)) == nil
            ? probes[0] : nil
    }

    /// Asia/Shanghai (UTC+8, no DST), the default zone.
    public static let shanghai = ZoneRule(identifier: "Asia/Shanghai")!

    /// Seconds east of UTC at `t` (28 800 in Asia/Shanghai).
    public func offset(at t: Timestamp) -> Int {
        fixedOffset ?? zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.seconds)))
    }

    /// The local day a moment falls on.
    public func day(of t: Timestamp) -> Day {
        let local = t.seconds + Int64(offset(at: t))
        return Day(number: Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400))
    }

    /// The moment a local wall-clock time (seconds since epoch, as if UTC) denotes.
    public func timestamp(localSeconds: Int64) -> Timestamp {
        if let fixedOffset { return Timestamp(seconds: localSeconds - Int64(fixedOffset)) }
        let guess = Timestamp(seconds: localSeconds - Int64(offset(at: Timestamp(seconds: localSeconds))))
        return Timestamp(seconds: localSeconds - Int64(offset(at: guess)))
    }

    /// ISO 8601 with the local offset, e.g. `2026-11-03T09:30:00+08:00`.
    public func format(_ t: Timestamp) -> String {
        let off = offset(at: t)
        let local = t.seconds + Int64(off)
        let dayNumber = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = Int(local - dayNumber * 86_400)
        let day = Day(number: Int(dayNumber))
        let sign = off >= 0 ? "+" : "-"
        let a = abs(off)
        return "\(day)T\(Day.pad(secs / 3600, 2)):\(Day.pad(secs / 60 % 60, 2)):\(Day.pad(secs % 60, 2))\(sign)\(Day.pad(a / 3600, 2)):\(Day.pad(a / 60 % 60, 2))"
    }

    /// Why a text is not a time.
    public enum TimeProblem: Error, Equatable, Sendable {
        /// Not a time in any form this reads.
        case format
        /// The form is right but the calendar has no such day (2026-02-30).
        case noSuchDay(year: Int, month: Int, day: Int)
        /// An hour, minute or second out of range (25:00).
        case clock
    }

    /// Reads ISO 8601 times and what spreadsheets write: `2026-11-03T09:30:00+08:00`, `…Z`,
    /// `2026-11-03 09:30`, `2026-11-03T09:30:00` (local), a bare date (local midnight), and
    /// `2026/11/3 9:05[:07]` (Excel's default). Fractional seconds are accepted and dropped.
    public func parse(_ text: some StringProtocol) -> Timestamp? {
        try? parseResult(text).get()
    }

    /// As `parse`, with the reason when it fails.
    public func parseResult(_ text: some StringProtocol) -> Result<Timestamp, TimeProblem> {
        var s = String(text)
        return s.withUTF8 { parse(utf8: $0) }
    }

    private func parse(utf8 u: UnsafeBufferPointer<UInt8>) -> Result<Timestamp, TimeProblem> {
        var i = 0
        /// 1…`max` digits at i.
        func number(max: Int) -> Int? {
            var v = 0, n = 0
            while i < u.count, n < max, u[i] >= 48, u[i] <= 57 {
                v = v * 10 + Int(u[i] - 48)
                i += 1
                n += 1
            }
            return n == 0 ? nil : v
        }
        guard u.count >= 8, let y = number(max: 4), i == 4, i < u.count, u[i] == 45 || u[i] == 47 else { return .failure(.format) }
        let sep = u[i]
        i += 1
        guard let mo = number(max: 2), i < u.count, u[i] == sep else { return .failure(.format) }
        i += 1
        guard let d = number(max: 2) else { return .failure(.format) }
        // ISO's own form is strict (two digits each); the slash form is how Excel writes it.
        if sep == 45, i != 10 { return .failure(.format) }
        guard let day = Day(year: y, month: mo, day: d) else {
            return (1...12).contains(mo) && d >= 1 && d <= 31 ? .failure(.noSuchDay(year: y, month: mo, day: d)) : .failure(.format)
        }
        var seconds = 0
        if i < u.count, u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: " ") {
            i += 1
            let hourStart = i   // one digit or two: Excel writes 9:05
            guard let h = number(max: 2), i > hourStart, i < u.count, u[i] == 58 else { return .failure(.format) }
            i += 1
            let minuteStart = i
            guard let m = number(max: 2), i - minuteStart == 2 else { return .failure(.format) }
            guard h < 24, m < 60 else { return .failure(.clock) }
            seconds = h * 3600 + m * 60
            if i < u.count, u[i] == 58 {
                i += 1
                let secondStart = i
                guard let sec = number(max: 2), i - secondStart == 2 else { return .failure(.format) }
                guard sec < 61 else { return .failure(.clock) }
                seconds += min(sec, 59)
                if i < u.count, u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
                    i += 1
                    let start = i
                    while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
                    guard i > start else { return .failure(.format) }
                }
            }
        }
        let local = Int64(day.number) * 86_400 + Int64(seconds)
        if i == u.count { return .success(timestamp(localSeconds: local)) }
        if u[i] == UInt8(ascii: "Z"), i + 1 == u.count { return .success(Timestamp(seconds: local)) }
        guard u[i] == 43 || u[i] == 45, u.count - i == 6 || u.count - i == 5 || u.count - i == 3,
              let oh = Day.digits(u, i + 1, 2)
        else { return .failure(.format) }
        var om = 0
        if u.count - i == 6 {
            guard u[i + 3] == 58, let v = Day.digits(u, i + 4, 2) else { return .failure(.format) }
            om = v
        } else if u.count - i == 5 {
            guard let v = Day.digits(u, i + 3, 2) else { return .failure(.format) }
            om = v
        }
        guard oh <= 14, om < 60 else { return .failure(.format) }
        let offset = Int64((oh * 3600 + om * 60) * (u[i] == 45 ? -1 : 1))
        return .success(Timestamp(seconds: local - offset))
    }

    /// An Excel date serial (days since 1899-12-30, the fraction the time of day) as a local
    /// time: 46330.375 is 2026-11-04 09:00. nil unless it is a plain positive number.
    public func excelSerial(_ text: String) -> Timestamp? {
        guard let v = Double(text), v >= 1, v < 2_958_466, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        let days = v.rounded(.down)
        let seconds = Int64(((v - days) * 86_400).rounded())
        let base = Day(year: 1899, month: 12, day: 30)!.number
        return timestamp(localSeconds: Int64(base + Int(days)) * 86_400 + seconds)
    }
}
