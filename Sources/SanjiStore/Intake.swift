import GRDB
import SanjiCore

/// What happened to one record put into the store.
public enum PutResult: Sendable, Equatable {
    case new, updated, unchanged
}

/// One write transaction's worth of case and evaluation writes. Every put updates the
/// summary deltas and the exception records; `finish()` writes them, and must run inside the
/// same transaction.
final class Intake {
    let db: Database
    let store: NodeStore
    let catalog: Catalog
    let cases: CaseBook
    let evaluations: EvaluationBook
    /// The moment the transaction writes at: it decides which open cases are past their deadline.
    let now: Timestamp
    /// The station's windows, retired ones included (a later export of an old case may name one).
    let windows: Set<String>
    /// When each retired window was retired: no new case is accepted there after it.
    let retired: [String: Timestamp]
    private let ledger: Ledger
    private let exceptions: ExceptionLedger

    init(_ db: Database, store: NodeStore, now: Timestamp) throws {
        self.db = db
        self.store = store
        self.now = now
        catalog = try CatalogStore.load(db)
        cases = try CaseBook(db)
        evaluations = try EvaluationBook(db)
        ledger = Ledger(db, origin: store.identity.id)
        exceptions = ExceptionLedger(db)
        var windows = Set<String>(), retired: [String: Timestamp] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT id, retired_at FROM service_window") {
            windows.insert(r[0])
            if let at = r[1] as Int64? { retired[r[0]] = Timestamp(seconds: at) }
        }
        (self.windows, self.retired) = (windows, retired)
    }

    func parser(now: Timestamp, gradeCodes: Grade.Codes? = nil, excelDates: Bool = false) -> RowParser {
        RowParser(catalog: catalog, level: store.identity.level, zone: store.zone, now: now,
                  futureSkewSeconds: Int64(catalog.clockSkewMinutes) * 60, gradeCodes: gradeCodes, excelDates: excelDates,
                  windows: windows)
    }

    /// Puts a case: new, a merge into the recorded one, or a conflict.
    func put(_ c: CaseRecord, item: CatalogItem) throws -> Result<PutResult, IntakeFailure> {
        if item.withdrawn, try cases.fetch(c.caseNo) == nil {
            return .failure(IntakeFailure(field: "item_code", message: IntakeProblem.withdrawn(item: item, sequence: catalog.sequence).description))
        }
        if let at = retired[c.window], c.acceptedAt >= at, try cases.fetch(c.caseNo) == nil {
            return .failure(IntakeFailure(field: "window", message: "window \(c.window) was retired on \(store.zone.format(at)); a new case is accepted at a window in service"))
        }
        return try upsert(c, insert: cases.insertIfAbsent, fetch: { try self.cases.fetch(c.caseNo) },
                          merge: { CaseRecord.merge(existing: $0, incoming: $1, zone: self.store.zone) }, update: cases.update)
    }

    func put(_ e: EvaluationRecord) throws -> Result<PutResult, IntakeFailure> {
        try upsert(e, insert: evaluations.insertIfAbsent, fetch: { try self.evaluations.fetch(e.evalId) },
                   merge: { EvaluationRecord.merge(existing: $0, incoming: $1, zone: self.store.zone) }, update: evaluations.update)
    }

    /// Puts a consultation: new, or unchanged when its id is recorded (a consultation never changes).
    func put(_ c: ConsultRecord) throws -> PutResult {
        guard try ConsultBook.insertIfAbsent(db, c) else { return .unchanged }
        try ledger.add(c, zone: store.zone)
        return .new
    }

    func replace(_ old: CaseRecord, with new: CaseRecord) throws { try replace(old, with: new, update: cases.update) }

    func replace(_ old: EvaluationRecord, with new: EvaluationRecord) throws { try replace(old, with: new, update: evaluations.update) }

    /// Rewrites a record and moves its contribution from the old summary rows to the new.
    private func replace<R: SummarySource>(_ old: R, with new: R, update: (R) throws -> Void) throws {
        try update(new)
        try ledger.subtract(old, zone: store.zone)
        try ledger.add(new, zone: store.zone)
        try noteException(new, isNew: false)
    }

    /// Keeps the record's exception record (if it is, or was, an exception) in step with it.
    private func noteException<R: SummarySource>(_ record: R, isNew: Bool) throws {
        let origin = store.identity.id, zone = store.zone
        if let c = record as? CaseRecord {
            let department = catalog.items[c.itemCode]?.department ?? ""
            if let x = OverdueCase.of(c, origin: origin, department: department, zone: zone, today: zone.day(of: now)) {
                exceptions.put(.overdueCase(x))
            } else if !isNew, let held = try ExceptionBook.fetch(db, like: .overdueCase(OverdueCase(
                origin: origin, caseNo: c.caseNo, item: c.itemCode, department: department, acceptedDay: zone.day(of: c.acceptedAt),
                deadline: c.deadline, completedDay: nil))), case .overdueCase(var x) = held {
                // It was an exception (open past its deadline), and a correction completed it on time:
                // the record keeps the days it was listed for, with the completion as it now reads.
                x.completedDay = c.completedAt.map(zone.day(of:))
                exceptions.put(.overdueCase(x))
            }
        } else if let e = record as? EvaluationRecord, let x = BadReview.of(e, origin: origin, zone: zone) {
            exceptions.put(.badReview(x))
        }
        // Written as they come in a large import, so that they do not pile up in memory.
        if exceptions.pendingCount >= 20_000 { try exceptions.flush() }
    }

    /// Inserts a new record (adding its contribution), or merges it into the recorded one.
    private func upsert<R: SummarySource>(
        _ record: R, insert: (R) throws -> Bool, fetch: () throws -> R?,
        merge: (R, R) -> MergeDecision<R>, update: (R) throws -> Void
    ) throws -> Result<PutResult, IntakeFailure> {
        if try insert(record) {
            try ledger.add(record, zone: store.zone)
            try noteException(record, isNew: true)
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

    /// Writes the summary rows and exception records (and the open cases that passed their
    /// deadline since the last write); returns how many summary rows changed.
    @discardableResult
    func finish() throws -> Int {
        let rows = try ledger.flush()
        try NodeStore.sweepOverdue(db, origin: store.identity.id, catalog: catalog, zone: store.zone, today: store.zone.day(of: now), into: exceptions)
        try exceptions.flush()
        if rows > 0 {
            try NodeRows.heard(db, store.identity.id, at: now)
        }
        return rows
    }
}

extension NodeStore {
    /// Makes the exception record of every open case whose deadline passed and that has none yet.
    /// Every write does it, and `serve` does it when the day changes: a case becomes late by the
    /// clock alone.
    static func sweepOverdue(_ db: Database, origin: String, catalog: Catalog, zone: ZoneRule, today: Day, into exceptions: ExceptionLedger) throws {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.case_no, c.item_code, c.accepted_at, c.deadline, c.window FROM cases c
            WHERE c.completed_at IS NULL AND c.deadline < ?
              AND NOT EXISTS (SELECT 1 FROM exception_case x WHERE x.origin = ? AND x.case_no = c.case_no)
            """), arguments: [today.description, origin])
        for r in rows {
            guard let deadline = Day(r[3] as String) else { continue }
            let item: String = r[1]
            exceptions.put(.overdueCase(OverdueCase(
                origin: origin, caseNo: r[0], item: item, department: catalog.items[item]?.department ?? "",
                acceptedDay: zone.day(of: Timestamp(seconds: r[2])), deadline: deadline, completedDay: nil, window: r[4])))
        }
    }

    /// The sweep on its own, for `serve` when the day changes; returns the records made.
    @discardableResult
    public func sweepOverdue(now: Timestamp) throws -> Int {
        try write { db in
            let ledger = ExceptionLedger(db)
            try Self.sweepOverdue(db, origin: identity.id, catalog: try CatalogStore.load(db), zone: zone, today: zone.day(of: now), into: ledger)
            return try ledger.flush()
        }
    }
}

struct IntakeFailure: Error {
    let field: String
    let message: String
}
