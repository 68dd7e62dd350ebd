import GRDB
import SanjiCore

/// What happened to one record put into the store.
public enum PutResult: Sendable, Equatable {
    case new, updated, unchanged
}

/// One write transaction's worth of case and evaluation writes. Every put updates the
/// summary deltas; `finish()` writes them, and must run inside the same transaction.
final class Intake {
    let db: Database
    let store: NodeStore
    let catalog: Catalog
    let cases: CaseBook
    let evaluations: EvaluationBook
    private let ledger: Ledger

    init(_ db: Database, store: NodeStore) throws {
        self.db = db
        self.store = store
        catalog = try CatalogStore.load(db)
        cases = try CaseBook(db)
        evaluations = try EvaluationBook(db)
        ledger = Ledger(db, origin: store.identity.id)
    }

    func parser(now: Timestamp, gradeCodes: Grade.Codes? = nil) -> RowParser {
        RowParser(catalog: catalog, level: store.identity.level, zone: store.zone, now: now,
                  futureSkewSeconds: Int64(catalog.clockSkewMinutes) * 60, gradeCodes: gradeCodes)
    }

    /// Puts a case: new, a merge into the recorded one, or a conflict.
    func put(_ c: CaseRecord, item: CatalogItem) throws -> Result<PutResult, IntakeFailure> {
        if item.withdrawn, try cases.fetch(c.caseNo) == nil {
            return .failure(IntakeFailure(field: "item_code", message: IntakeProblem.withdrawn(item: item, sequence: catalog.sequence).description))
        }
        return try upsert(c, insert: cases.insertIfAbsent, fetch: { try self.cases.fetch(c.caseNo) },
                          merge: { CaseRecord.merge(existing: $0, incoming: $1, zone: self.store.zone) }, update: cases.update)
    }

    func put(_ e: EvaluationRecord) throws -> Result<PutResult, IntakeFailure> {
        try upsert(e, insert: evaluations.insertIfAbsent, fetch: { try self.evaluations.fetch(e.evalId) },
                   merge: { EvaluationRecord.merge(existing: $0, incoming: $1, zone: self.store.zone) }, update: evaluations.update)
    }

    func replace(_ old: CaseRecord, with new: CaseRecord) throws { try replace(old, with: new, update: cases.update) }

    func replace(_ old: EvaluationRecord, with new: EvaluationRecord) throws { try replace(old, with: new, update: evaluations.update) }

    /// Rewrites a record and moves its contribution from the old summary rows to the new.
    private func replace<R: SummarySource>(_ old: R, with new: R, update: (R) throws -> Void) throws {
        try update(new)
        ledger.subtract(old.contribution(zone: store.zone))
        ledger.add(new.contribution(zone: store.zone))
    }

    /// Inserts a new record (adding its contribution), or merges it into the recorded one.
    private func upsert<R: SummarySource>(
        _ record: R, insert: (R) throws -> Bool, fetch: () throws -> R?,
        merge: (R, R) -> MergeDecision<R>, update: (R) throws -> Void
    ) throws -> Result<PutResult, IntakeFailure> {
        if try insert(record) {
            ledger.add(record.contribution(zone: store.zone))
            return .success(.new)
        }
        let existing = try fetch()!
        switch merge(existing, record) {
        case .unchanged: return .success(.unchanged)
        case .update(let merged):
            try replace(existing, with: merged, update: update)
            return .success(.updated)
        case .conflict(let field, let message):
            return .failure(IntakeFailure(field: field, message: message))
        }
    }

    /// Writes the summary rows; returns how many changed.
    @discardableResult
    func finish() throws -> Int {
        let rows = try ledger.flush()
        if rows > 0 {
            try db.execute(sql: "UPDATE node SET last_heard_at = ? WHERE id = ?", arguments: [Timestamp.now().seconds, store.identity.id])
        }
        return rows
    }
}

struct IntakeFailure: Error {
    let field: String
    let message: String
}
