import GRDB
import SanjiCore

/// Keeps the summary rows of one write transaction: collects the deltas of every case and
/// evaluation written, then upserts each touched (origin, day, item) row once, stamped with
/// the node's next rev. Callers flush before the transaction commits, so raw tables and
/// summary rows can never disagree.
final class Ledger {
    private let db: Database
    private let origin: String
    private var deltas: [SummaryKey: SummaryCounters] = [:]
    private var unitDeltas: [UnitKey: SummaryCounters] = [:]

    init(_ db: Database, origin: String) {
        self.db = db
        self.origin = origin
    }

    /// Adds what `record` contributes.
    func add<R: SummarySource>(_ record: R, zone: ZoneRule) {
        record.forEachContribution(zone: zone) { k, v in deltas[k, default: SummaryCounters()] += v }
        Contribution.forEachUnit(of: record, zone: zone) { k, v in unitDeltas[k, default: SummaryCounters()] += v }
    }

    /// Takes away what `record` contributed.
    func subtract<R: SummarySource>(_ record: R, zone: ZoneRule) {
        record.forEachContribution(zone: zone) { k, v in deltas[k, default: SummaryCounters()] = deltas[k, default: SummaryCounters()] - v }
        Contribution.forEachUnit(of: record, zone: zone) { k, v in unitDeltas[k, default: SummaryCounters()] = unitDeltas[k, default: SummaryCounters()] - v }
    }

    /// Writes the collected deltas; returns how many summary rows changed (window and staff rows
    /// are written too, not counted).
    @discardableResult
    func flush() throws -> Int {
        let changed = deltas.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
        let units = unitDeltas.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
        deltas = [:]
        unitDeltas = [:]
        guard !changed.isEmpty || !units.isEmpty else { return 0 }
        var rev = try Counter.value(db, .rev)
        if !changed.isEmpty {
            let upsert = try SummaryUpsert(db, .add)
            for (key, delta) in changed {
                rev += 1
                try upsert.run(origin: origin, key: key, counters: delta, originRev: Int64(rev), rev: Int64(rev))
            }
        }
        if !units.isEmpty {
            let upsert = try UnitUpsert(db, .add)
            for (key, delta) in units {
                rev += 1
                try upsert.run(origin: origin, key: key, counters: delta, originRev: Int64(rev), rev: Int64(rev))
            }
        }
        try Counter.set(db, .rev, rev)
        return changed.count
    }
}

/// The node's monotonic counters.
enum Counter: String {
    case rev, catalogSeq = "catalog_seq", evalLocal = "eval_local", rollupRev = "rollup_rev"

    static func value(_ db: Database, _ c: Counter) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [c.rawValue]) ?? 0
    }

    static func set(_ db: Database, _ c: Counter, _ value: Int) throws {
        try db.execute(sql: "UPDATE counter SET value = ? WHERE name = ?", arguments: [value, c.rawValue])
    }
}
