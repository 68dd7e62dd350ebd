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

    /// How many rows the ledger holds before it writes them (in the same transaction): a file
    /// spanning years of days would otherwise hold a delta per day and item in memory. A file in
    /// time order meets each row about once; one in random order writes some rows more than once.
    static let heldRowsLimit = 32_768

    /// Adds what `record` contributes.
    func add<R: SummarySource>(_ record: R, zone: ZoneRule) throws {
        record.forEachContribution(zone: zone) { k, v in deltas[k, default: SummaryCounters()] += v }
        Contribution.forEachUnit(of: record, zone: zone) { k, v in unitDeltas[k, default: SummaryCounters()] += v }
        if deltas.count + unitDeltas.count >= Self.heldRowsLimit { pendingRows += try flush() }
    }

    /// Summary rows written by flushes along the way, not yet reported.
    private var pendingRows = 0

    /// Takes away what `record` contributed.
    func subtract<R: SummarySource>(_ record: R, zone: ZoneRule) throws {
        record.forEachContribution(zone: zone) { k, v in deltas[k, default: SummaryCounters()] = deltas[k, default: SummaryCounters()] - v }
        Contribution.forEachUnit(of: record, zone: zone) { k, v in unitDeltas[k, default: SummaryCounters()] = unitDeltas[k, default: SummaryCounters()] - v }
        if deltas.count + unitDeltas.count >= Self.heldRowsLimit { pendingRows += try flush() }
    }

    /// Writes the collected deltas; returns how many summary rows changed (window and staff rows
    /// are written too, not counted).
    @discardableResult
    func flush() throws -> Int {
        // One copy of the deltas at a time: into an array, the dictionary let go, then sorted in place.
        var changed: [(SummaryKey, SummaryCounters)] = deltas.compactMap { $0.value.isZero ? nil : ($0.key, $0.value) }
        deltas = [:]
        changed.sort { $0.0 < $1.0 }
        var units: [(UnitKey, SummaryCounters)] = unitDeltas.compactMap { $0.value.isZero ? nil : ($0.key, $0.value) }
        unitDeltas = [:]
        units.sort { $0.0 < $1.0 }
        let earlier = pendingRows
        pendingRows = 0
        guard !changed.isEmpty || !units.isEmpty else { return earlier }
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
        return earlier + changed.count
    }
}

/// The node's monotonic counters.
enum Counter: String {
    case rev, catalogSeq = "catalog_seq", evalLocal = "eval_local"
    /// The rev up to which each monthly rollup reflects the rows (`Rollup`).
    case rollupRev = "rollup_rev", rollupItemRev = "rollup_item_rev", rollupUnitRev = "rollup_unit_rev"

    static func value(_ db: Database, _ c: Counter) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM counter WHERE name = ?"), arguments: [c.rawValue]) ?? 0
    }

    static func set(_ db: Database, _ c: Counter, _ value: Int) throws {
        try db.cachedStatement(sql: "UPDATE counter SET value = ? WHERE name = ?").execute(arguments: [value, c.rawValue])
    }
}
