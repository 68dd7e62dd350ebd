import Foundation

/// A point in time as whole seconds since the Unix epoch, and the rules for reading one from
/// text and cutting it into days in the deployment's time zone (never in UTC).
public struct Timestamp: Hashable, Comparable, Sendable {
    public let seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static func now() -> Timestamp { Timestamp(seconds: Int64(Date().timeIntervalSince1970)) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }
}

/// The node's time zone: how local times without an offset are read and how days are cut.
public struct ZoneRule: Sendable {
    public let identifier: String
    private let zone: TimeZone
    /// Zones without DST (Asia/Shanghai) have one offset; it is cached to keep bulk imports fast.
    private let fixedOffset: Int?

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
        let probes = [0, 4_000_000, 8_000_000, 12_000_000, 16_000_000, 20_000_000, 24_000_000, 28_000_000]
            .map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: 1_767_225_600 + Double($0))) }
        fixedOffset = Set(probes).count == 1 && zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 946_684_800)) == nil
            ? probes[0] : nil
    }

    public static let shanghai = ZoneRule(identifier: "Asia/Shanghai")!

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

    /// Reads ISO 8601 times: `2026-11-03T09:30:00+08:00`, `…Z`, `2026-11-03 09:30`, `2026-11-03T09:30:00`
    /// (local), or a bare date `2026-11-03` (local midnight). Fractional seconds are accepted and dropped.
    public func parse(_ text: some StringProtocol) -> Timestamp? {
        var s = String(text)
        return s.withUTF8 { parse(utf8: $0) }
    }

    private func parse(utf8 u: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard u.count >= 10, u[4] == 45, u[7] == 45,
              let y = Day.digits(u, 0, 4), let mo = Day.digits(u, 5, 2), let d = Day.digits(u, 8, 2),
              let day = Day(year: y, month: mo, day: d)
        else { return nil }
        var seconds = 0
        var i = 10
        if i < u.count {
            guard u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: " "), u.count >= i + 6, u[i + 3] == 58,
                  let h = Day.digits(u, i + 1, 2), let m = Day.digits(u, i + 4, 2), h < 24, m < 60
            else { return nil }
            seconds = h * 3600 + m * 60
            i += 6
            if i < u.count, u[i] == 58 {
                guard u.count >= i + 3, let s = Day.digits(u, i + 1, 2), s < 61 else { return nil }
                seconds += min(s, 59)
                i += 3
                if i < u.count, u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
                    i += 1
                    let start = i
                    while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
                    guard i > start else { return nil }
                }
            }
        }
        let local = Int64(day.number) * 86_400 + Int64(seconds)
        if i == u.count { return timestamp(localSeconds: local) }
        if u[i] == UInt8(ascii: "Z"), i + 1 == u.count { return Timestamp(seconds: local) }
        guard u[i] == 43 || u[i] == 45, u.count - i == 6 || u.count - i == 5 || u.count - i == 3,
              let oh = Day.digits(u, i + 1, 2)
        else { return nil }
        var om = 0
        if u.count - i == 6 {
            guard u[i + 3] == 58, let v = Day.digits(u, i + 4, 2) else { return nil }
            om = v
        } else if u.count - i == 5 {
            guard let v = Day.digits(u, i + 3, 2) else { return nil }
            om = v
        }
        guard oh <= 14, om < 60 else { return nil }
        let offset = Int64((oh * 3600 + om * 60) * (u[i] == 45 ? -1 : 1))
        return Timestamp(seconds: local - offset)
    }
}
