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
        RowParser(catalog: catalog, level: store.identity.level, zone: store.zone, now: now, gradeCodes: gradeCodes)
    }

    /// Puts a case: new, a merge into the recorded one, or a conflict.
    func put(_ c: CaseRecord, item: CatalogItem) throws -> Result<PutResult, IntakeFailure> {
        if item.withdrawn, try cases.fetch(c.caseNo) == nil {
            return .failure(IntakeFailure(field: "item_code", message: IntakeProblem.withdrawn(item: item, sequence: catalog.sequence).description))
        }
        if try cases.insertIfAbsent(c) {
            ledger.add(Contribution.of(c, zone: store.zone))
            return .success(.new)
        }
        let existing = try cases.fetch(c.caseNo)!
        switch CaseRecord.merge(existing: existing, incoming: c, zone: store.zone) {
        case .unchanged:
            return .success(.unchanged)
        case .update(let merged):
            try replace(existing, with: merged)
            return .success(.updated)
        case .conflict(let field, let message):
            return .failure(IntakeFailure(field: field, message: message))
        }
    }

    func replace(_ old: CaseRecord, with new: CaseRecord) throws {
        try cases.update(new)
        ledger.subtract(Contribution.of(old, zone: store.zone))
        ledger.add(Contribution.of(new, zone: store.zone))
    }

    func put(_ e: EvaluationRecord) throws -> Result<PutResult, IntakeFailure> {
        if try evaluations.insertIfAbsent(e) {
            ledger.add(Contribution.of(e, zone: store.zone))
            return .success(.new)
        }
        let existing = try evaluations.fetch(e.evalId)!
        switch EvaluationRecord.merge(existing: existing, incoming: e, zone: store.zone) {
        case .unchanged:
            return .success(.unchanged)
        case .update(let merged):
            try replace(existing, with: merged)
            return .success(.updated)
        case .conflict(let field, let message):
            return .failure(IntakeFailure(field: field, message: message))
        }
    }

    func replace(_ old: EvaluationRecord, with new: EvaluationRecord) throws {
        try evaluations.update(new)
        ledger.subtract(Contribution.of(old, zone: store.zone))
        ledger.add(Contribution.of(new, zone: store.zone))
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
