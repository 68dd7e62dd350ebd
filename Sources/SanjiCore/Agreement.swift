/// The agreement check (`sanji verify`): a digest of one origin's summary rows and exception
/// records per month, the same whichever node computes it and in whatever order it reads them.
public struct MonthDigest: Hashable, Sendable {
    /// `YYYY-MM`.
    public var month: String
    /// Summary rows and exception records counted in the month.
    public var rows: Int
    /// The wrapping sum of the rows' hashes, cut to 63 bits so that it travels as an SJP `u64`.
    public var digest: UInt64
    /// The highest origin rev among the rows: a copy below the origin's is still catching up.
    public var maxOriginRev: UInt64

    /// A month's digest from its parts.
    public init(month: String, rows: Int, digest: UInt64, maxOriginRev: UInt64) {
        self.month = month
        self.rows = rows
        self.digest = digest
        self.maxOriginRev = maxOriginRev
    }
}

/// Sums row hashes into per-month digests. The hash covers the row's key and counters, not its
/// revs: two copies agree when they hold the same figures, whichever rev delivered them.
public struct DigestBuilder: Sendable {
    private var months: [String: MonthDigest] = [:]

    /// An empty builder: no months yet.
    public init() {}

    /// A summary row, in the month of its day: its key strings and each counter's eight bytes, mixed by FNV-1a.
    public mutating func add(origin: String, day: String, item: String, counters: [Int], originRev: UInt64) {
        add(keys: [origin, day, item], day: day, counters: counters, originRev: originRev)
    }

    /// A window or staff row, in the month of its day: as a summary row whose key strings are
    /// origin, day, `window` or `staff`, and the unit (four keys where a summary row has three).
    public mutating func add(origin: String, day: String, kind: UnitKind, unit: String, counters: [Int], originRev: UInt64) {
        add(keys: [origin, day, kind.rawValue, unit], day: day, counters: counters, originRev: originRev)
    }

    private mutating func add(keys: [String], day: String, counters: [Int], originRev: UInt64) {
        var h = Self.fnvOffset
        for k in keys { Self.mix(&h, k) }
        for c in counters {
            var v = UInt64(bitPattern: Int64(c))
            for _ in 0..<8 {
                h = (h ^ (v & 0xFF)) &* Self.fnvPrime
                v >>= 8
            }
        }
        accumulate(month: String(day.prefix(7)), hash: h, originRev: originRev)
    }

    /// An exception record, in the month of its day (acceptance or evaluation): its kind and every
    /// field as text (days `YYYY-MM-DD`, flags `0`/`1`, grades by label, "" for none), each mixed
    /// as the key strings of a summary row are (docs/protocol.md, DIGEST).
    public mutating func add(_ record: ExceptionRecord, originRev: UInt64) {
        var h = Self.fnvOffset
        let fields: [String]
        switch record {
        case .overdueCase(let c):
            fields = ["overdue-case", c.origin, c.caseNo, c.item, c.department, c.acceptedDay.description, c.deadline.description,
                      c.completedDay?.description ?? "", c.window]
        case .badReview(let b):
            fields = ["bad-review", b.origin, b.evalId, b.item, b.grade.rawValue, b.channel.rawValue, b.day.description, b.named ? "1" : "0",
                      b.rectifiedDay?.description ?? "", b.revisitedDay?.description ?? "", b.revisitGrade?.rawValue ?? "",
                      b.appeal?.rawValue ?? "", b.appealDay?.description ?? "", b.window]
        }
        for f in fields { Self.mix(&h, f) }
        accumulate(month: String(record.day.description.prefix(7)), hash: h, originRev: originRev)
    }

    private mutating func accumulate(month: String, hash h: UInt64, originRev: UInt64) {
        var m = months[month] ?? MonthDigest(month: month, rows: 0, digest: 0, maxOriginRev: 0)
        m.rows += 1
        m.digest = (m.digest &+ Self.finalize(h)) & UInt64(Int64.max)
        m.maxOriginRev = max(m.maxOriginRev, originRev)
        months[month] = m
    }

    /// The months seen, in order.
    public var digests: [MonthDigest] { months.values.sorted { $0.month < $1.month } }

    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x100_0000_01b3

    static func mix(_ h: inout UInt64, _ s: String) {
        for b in s.utf8 { h = (h ^ UInt64(b)) &* fnvPrime }
        h = (h ^ 0x1F) &* fnvPrime  // a separator, so that ("ab", "c") and ("a", "bc") differ
    }

    /// splitmix64's finaliser: spreads FNV's weak high bits before the rows are summed.
    static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// How a copy of one origin's rows compares with the origin's own digests.
public struct Agreement: Equatable, Sendable {
    /// Months whose copy differs although it has seen the origin's latest rev for them (or more):
    /// a damaged or lost copy, healed by having the origin send them again.
    public var differs: [String] = []
    /// Months whose copy differs and is below the origin's latest rev: rows still on their way.
    public var behind: [String] = []
    /// Months where the copy holds more rows than the origin: rows the origin no longer has (a
    /// store restored from an older backup, a write-ahead log lost). Sending the origin's rows
    /// again cannot remove them; sealing the months can (`sanji verify --drop-extra`).
    public var extra: [String] = []

    /// True when no month differs, lags behind or holds extra rows.
    public var agrees: Bool { differs.isEmpty && behind.isEmpty && extra.isEmpty }

    /// An outcome with the months of each kind given.
    public init(differs: [String] = [], behind: [String] = [], extra: [String] = []) {
        self.differs = differs
        self.behind = behind
        self.extra = extra
    }

    /// Compares a copy's digests with the origin's: of the months that differ, those with more rows are `extra`,
    /// those with a lower max origin rev `behind`, the rest `differs`.
    public static func compare(origin: [MonthDigest], copy: [MonthDigest]) -> Agreement {
        let own = Dictionary(origin.map { ($0.month, $0) }, uniquingKeysWith: { a, _ in a })
        let held = Dictionary(copy.map { ($0.month, $0) }, uniquingKeysWith: { a, _ in a })
        var result = Agreement()
        for month in Set(own.keys).union(held.keys).sorted() {
            let o = own[month], c = held[month]
            guard o?.rows != c?.rows || o?.digest != c?.digest else { continue }
            if (c?.rows ?? 0) > (o?.rows ?? 0) {
                result.extra.append(month)
            } else if (c?.maxOriginRev ?? 0) < (o?.maxOriginRev ?? 0) {
                result.behind.append(month)
            } else {
                result.differs.append(month)
            }
        }
        return result
    }
}
