import GRDB
import SanjiCore

/// The exception tables (`exception_case`, `exception_review`): whole records per (origin, case
/// or evaluation), stamped with revs from the same counter as summary rows so that they travel
/// in the same stream (docs/protocol.md, ROWS).
enum ExceptionBook {
    static let caseColumns = "origin, case_no, item, department, accepted_day, deadline, completed_day, window"
    static let reviewColumns = "origin, eval_id, item, grade, channel, day, named, rectified_day, revisited_day, revisit_grade, appeal, appeal_day, window"
    /// How many columns `caseColumns` and `reviewColumns` name: `origin_rev` and `rev` follow them.
    static let (caseWidth, reviewWidth) = (8, 13)

    static func readCase(_ r: Row, offset i: Int = 0) -> OverdueCase {
        OverdueCase(origin: r[i], caseNo: r[i + 1], item: r[i + 2], department: r[i + 3], acceptedDay: Day(r[i + 4] as String) ?? Day(number: 0),
                    deadline: Day(r[i + 5] as String) ?? Day(number: 0), completedDay: (r[i + 6] as String?).flatMap { Day($0) }, window: r[i + 7])
    }

    static func readReview(_ r: Row, offset i: Int = 0) -> BadReview {
        BadReview(origin: r[i], evalId: r[i + 1], item: r[i + 2], grade: Grade(rawValue: r[i + 3]) ?? .dissatisfied,
                  channel: EvalChannel(rawValue: r[i + 4]) ?? .window, day: Day(r[i + 5] as String) ?? Day(number: 0), named: r[i + 6],
                  rectifiedDay: (r[i + 7] as String?).flatMap { Day($0) }, revisitedDay: (r[i + 8] as String?).flatMap { Day($0) },
                  revisitGrade: (r[i + 9] as String?).flatMap(Grade.init(rawValue:)),
                  appeal: (r[i + 10] as String?).flatMap(AppealDecision.init(rawValue:)), appealDay: (r[i + 11] as String?).flatMap { Day($0) },
                  window: r[i + 12])
    }

    /// The record held for `record`'s key, if any.
    static func fetch(_ db: Database, like record: ExceptionRecord) throws -> ExceptionRecord? {
        switch record {
        case .overdueCase(let c):
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(caseColumns) FROM exception_case WHERE origin = ? AND case_no = ?"),
                             arguments: [c.origin, c.caseNo]).map { .overdueCase(readCase($0)) }
        case .badReview(let b):
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(reviewColumns) FROM exception_review WHERE origin = ? AND eval_id = ?"),
                             arguments: [b.origin, b.evalId]).map { .badReview(readReview($0)) }
        }
    }

    /// `columns` with each name qualified by `table` (`x.origin, x.case_no, …`).
    static func qualified(_ columns: String, _ table: String) -> String {
        columns.split(separator: ",").map { table + "." + $0.trimmingSpaces }.joined(separator: ", ")
    }

    /// Every record with a rev above `after`, at most `limit` of each table, with its rev.
    static func above(_ db: Database, after: UInt64, limit: Int) throws -> [(rev: UInt64, row: ExceptionRowState)] {
        var out: [(UInt64, ExceptionRowState)] = []
        for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT \(caseColumns), origin_rev, rev FROM exception_case WHERE rev > ? ORDER BY rev LIMIT ?"),
                                  arguments: [Int64(after), limit]) {
            out.append((UInt64(r[caseWidth + 1] as Int64), ExceptionRowState(originRev: UInt64(r[caseWidth] as Int64), record: .overdueCase(readCase(r)))))
        }
        for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT \(reviewColumns), origin_rev, rev FROM exception_review WHERE rev > ? ORDER BY rev LIMIT ?"),
                                  arguments: [Int64(after), limit]) {
            out.append((UInt64(r[reviewWidth + 1] as Int64), ExceptionRowState(originRev: UInt64(r[reviewWidth] as Int64), record: .badReview(readReview(r)))))
        }
        return out
    }

    /// Records of known nodes that may matter for the period `from…lastDay` (a superset: Core's
    /// `ExceptionList` decides which do, and how they stood).
    static func records(_ db: Database, from: Day, lastDay: Day) throws -> [ExceptionRecord] {
        var out: [ExceptionRecord] = []
        let (f, l) = (from.description, lastDay.description)
        for r in try Row.fetchAll(db, sql: """
            SELECT \(qualified(caseColumns, "x"))
            FROM exception_case x JOIN node n ON n.id = x.origin
            WHERE x.accepted_day <= ? AND (x.completed_day IS NULL OR x.completed_day >= ?)
            """, arguments: [l, f]) {
            out.append(.overdueCase(readCase(r)))
        }
        for r in try Row.fetchAll(db, sql: """
            SELECT \(qualified(reviewColumns, "x"))
            FROM exception_review x JOIN node n ON n.id = x.origin
            WHERE x.day <= ? AND (x.day >= ? OR x.rectified_day IS NULL OR x.rectified_day >= ?)
            """, arguments: [l, f, f]) {
            out.append(.badReview(readReview(r)))
        }
        return out
    }

    /// 差评 of known nodes not rectified today: the attention list's. Written so that SQLite
    /// reads the partial index `exception_review_open`, not every 差评 ever made.
    static let unrectifiedSQL = """
        SELECT \(qualified(reviewColumns, "x"))
        FROM node n JOIN exception_review x ON x.origin = n.id WHERE x.rectified_day IS NULL
        """

    static func unrectified(_ db: Database) throws -> [BadReview] {
        try Row.fetchAll(db, sql: unrectifiedSQL).map { readReview($0) }
    }

    /// Every record held for `origin`, or for every origin.
    static func all(_ db: Database, origin: String?) throws -> [ExceptionRecord] {
        let filter = origin == nil ? "" : " WHERE origin = ?"
        let args: StatementArguments = origin.map { [$0] } ?? []
        return try Row.fetchAll(db, sql: "SELECT \(caseColumns) FROM exception_case\(filter) ORDER BY origin, case_no", arguments: args).map { .overdueCase(readCase($0)) }
            + Row.fetchAll(db, sql: "SELECT \(reviewColumns) FROM exception_review\(filter) ORDER BY origin, eval_id", arguments: args).map { .badReview(readReview($0)) }
    }
}

/// The exception records one write transaction makes or changes at the origin. Collected while
/// the transaction runs, written before it commits (with `Ledger.flush`), each stamped with a new
/// rev only if it changed.
final class ExceptionLedger {
    private let db: Database
    /// The records in the order they were first put (so revs follow the input), each once.
    private var pending: [ExceptionRecord] = []
    private var index: [String: Int] = [:]

    init(_ db: Database) { self.db = db }

    /// Records waiting to be written.
    var pendingCount: Int { pending.count }

    func put(_ record: ExceptionRecord) {
        let key = (record.isCase ? "c:" : "r:") + record.id
        if let i = index[key] {
            pending[i] = record
        } else {
            index[key] = pending.count
            pending.append(record)
        }
    }

    /// Writes the records that differ from what is held, each with a new rev; returns how many.
    @discardableResult
    func flush() throws -> Int {
        guard !pending.isEmpty else { return 0 }
        var rev = Int64(try Counter.value(db, .rev))
        var written = 0
        let upsert = try ExceptionUpsert(db, .ifChanged)
        for record in pending {
            rev += 1
            if try upsert.run(record, originRev: rev, rev: rev) { written += 1 } else { rev -= 1 }
        }
        pending = []
        index = [:]
        try Counter.set(db, .rev, Int(rev))
        return written
    }
}

/// The one statement exception records are written with, prepared once per transaction.
final class ExceptionUpsert {
    enum Mode {
        /// This station's own record: written (with the revs given) only if it differs from the held one.
        case ifChanged
        /// A relayed record: written only if its origin rev is above the held one's.
        case ifNewer
    }

    private let overdue: RawStatement
    private let review: RawStatement

    init(_ db: Database, _ mode: Mode) throws {
        func sql(_ table: String, _ columns: String) -> String {
            let names = columns.split(separator: ",").map { $0.trimmingSpaces }
            let values = names.dropFirst(2)
            let condition = switch mode {
            case .ifChanged: values.map { "\(table).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR ")
            case .ifNewer: "excluded.origin_rev > \(table).origin_rev"
            }
            return """
                INSERT INTO \(table) (\(columns), origin_rev, rev) VALUES (\(Array(repeating: "?", count: names.count + 2).joined(separator: ", ")))
                ON CONFLICT (\(names.prefix(2).joined(separator: ", "))) DO UPDATE SET
                \((values + ["origin_rev", "rev"]).map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                WHERE \(condition)
                """
        }
        overdue = try RawStatement(cached: db, sql("exception_case", ExceptionBook.caseColumns))
        review = try RawStatement(cached: db, sql("exception_review", ExceptionBook.reviewColumns))
    }

    /// Writes `record` with these revs if the mode allows; returns whether it was written.
    func run(_ record: ExceptionRecord, originRev: Int64, rev: Int64) throws -> Bool {
        switch record {
        case .overdueCase(let c):
            overdue.bind(1, c.origin)
            overdue.bind(2, c.caseNo)
            overdue.bind(3, c.item)
            overdue.bind(4, c.department)
            overdue.bind(5, c.acceptedDay.description)
            overdue.bind(6, c.deadline.description)
            overdue.bind(7, c.completedDay?.description)
            overdue.bind(8, c.window)
            overdue.bind(9, originRev)
            overdue.bind(10, rev)
            return try overdue.run() > 0
        case .badReview(let b):
            review.bind(1, b.origin)
            review.bind(2, b.evalId)
            review.bind(3, b.item)
            review.bind(4, b.grade.rawValue)
            review.bind(5, b.channel.rawValue)
            review.bind(6, b.day.description)
            review.bind(7, b.named ? 1 : 0)
            review.bind(8, b.rectifiedDay?.description)
            review.bind(9, b.revisitedDay?.description)
            review.bind(10, b.revisitGrade?.rawValue)
            review.bind(11, b.appeal?.rawValue)
            review.bind(12, b.appealDay?.description)
            review.bind(13, b.window)
            review.bind(14, originRev)
            review.bind(15, rev)
            return try review.run() > 0
        }
    }
}

extension ExceptionRecord {
    var isCase: Bool { if case .overdueCase = self { true } else { false } }
}
