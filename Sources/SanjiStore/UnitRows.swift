import GRDB
import SanjiCore

/// Window and staff rows (`summary_unit`): the counters of item rows, keyed by (origin, kind,
/// unit, day), stamped with revs from the same counter as summary rows. Window rows always
/// travel; staff rows only while the county's `staff_figures` setting is `county`
/// (docs/figures.md, "Windows and staff").
enum UnitRows {
    /// The SQL condition (on `summary_unit`'s columns) under which a row travels upward.
    static let travels = "(kind = 'window' OR EXISTS (SELECT 1 FROM setting WHERE key = '\(Catalog.SettingKey.staffFigures.rawValue)' AND value = 'county'))"

    /// Every row that travels with a rev above `after`, at most `limit`, with its rev.
    static func above(_ db: Database, after: UInt64, limit: Int) throws -> [(rev: UInt64, row: UnitRowState)] {
        let cols = SummaryCounters.columns.joined(separator: ", ")
        let s = try RawStatement(cached: db, "SELECT origin, kind, unit, day, origin_rev, rev, \(cols) FROM summary_unit WHERE rev > ? AND \(travels) ORDER BY rev LIMIT ?")
        s.bind(1, Int64(after))
        s.bind(2, limit)
        var out: [(UInt64, UnitRowState)] = []
        try s.each { r in
            let key = UnitKey(day: r.day(3) ?? Day(number: 0), kind: UnitKind(rawValue: r.text(1) ?? "") ?? .window, unit: r.text(2) ?? "")
            out.append((UInt64(r.int(5) ?? 0), UnitRowState(origin: r.text(0) ?? "", key: key, originRev: UInt64(r.int(4) ?? 0),
                                                         counters: SummaryCounters { Int(r.int(6 + Int32($0)) ?? 0) })))
        }
        return out
    }

    /// This origin's rows as held, by key.
    static func held(_ db: Database, origin: String) throws -> [UnitKey: SummaryCounters] {
        let cols = SummaryCounters.columns
        var out: [UnitKey: SummaryCounters] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT kind, unit, day, \(cols.joined(separator: ", ")) FROM summary_unit WHERE origin = ?", arguments: [origin]) {
            guard let day = Day(r[2] as String), let kind = UnitKind(rawValue: r[0]) else { continue }
            out[UnitKey(day: day, kind: kind, unit: r[1])] = SummaryCounters(values: (0..<cols.count).map { r[$0 + 3] })
        }
        return out
    }

    /// Gives every staff row a new rev, so that all of them travel: run when the county switches
    /// `staff_figures` to `county` (rows written before were skipped by the uplink). Returns how many.
    @discardableResult
    static func restampStaff(_ db: Database) throws -> Int {
        var rev = try Counter.value(db, .rev)
        let keys = try Row.fetchAll(db, sql: "SELECT origin, kind, unit, day FROM summary_unit WHERE kind = 'staff' ORDER BY rev")
        let update = try db.cachedStatement(sql: "UPDATE summary_unit SET rev = ? WHERE origin = ? AND kind = ? AND unit = ? AND day = ?")
        for k in keys {
            rev += 1
            try update.execute(arguments: [rev, k[0], k[1], k[2], k[3]])
        }
        try Counter.set(db, .rev, rev)
        return keys.count
    }
}

/// Window and staff rows through `CounterUpsert` (see `SummaryUpsert` for the modes).
final class UnitUpsert {
    private let upsert: CounterUpsert

    init(_ db: Database, _ mode: SummaryUpsert.Mode) throws {
        upsert = try CounterUpsert(db, table: "summary_unit", keys: ["origin", "kind", "unit", "day"], mode)
    }

    /// Writes one row; false when nothing changed (a row as new was held, in `newer` mode).
    @discardableResult
    func run(origin: String, key: UnitKey, counters: SummaryCounters, originRev: Int64, rev: Int64) throws -> Bool {
        upsert.key(1, origin)
        upsert.key(2, key.kind.rawValue)
        upsert.key(3, key.unit)
        upsert.key(4, key.day)
        return try upsert.run(counters: counters, originRev: originRev, rev: rev)
    }
}
