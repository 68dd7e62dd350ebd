import GRDB
import SanjiCore

/// The cases table through prepared statements: the hot path of intake.
final class CaseBook {
    private let insert: RawStatement
    private let select: RawStatement
    private let update: RawStatement

    static let columns = "case_no, item_code, accepted_at, channel, assisted, deadline, completed_at, outcome, visits, applicant_name, applicant_id, modes, window, staff"

    init(_ db: Database) throws {
        insert = try RawStatement(db, "INSERT INTO cases (\(CaseBook.columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (case_no) DO NOTHING")
        select = try RawStatement(db, "SELECT \(CaseBook.columns) FROM cases WHERE case_no = ?")
        update = try RawStatement(db, """
            UPDATE cases SET assisted = ?2, completed_at = ?3, outcome = ?4, visits = ?5, applicant_name = ?6, applicant_id = ?7,
              modes = ?8, window = ?9, staff = ?10
            WHERE case_no = ?1
            """)
    }

    /// Inserts the case unless its number is already recorded; true when inserted.
    func insertIfAbsent(_ c: CaseRecord) throws -> Bool {
        insert.bind(1, c.caseNo)
        insert.bind(2, c.itemCode)
        insert.bind(3, c.acceptedAt.seconds)
        insert.bind(4, c.channel.rawValue)
        insert.bind(5, c.assisted ? 1 : 0)
        insert.bind(6, c.deadline.description)
        insert.bind(7, c.completedAt?.seconds)
        insert.bind(8, c.outcome?.rawValue)
        insert.bind(9, c.visits.map(Int64.init))
        insert.bind(10, c.applicantName)
        insert.bind(11, c.applicantId)
        insert.bind(12, c.modes.rawValue)
        insert.bind(13, c.window)
        insert.bind(14, c.staff)
        return try insert.run() == 1
    }

    func fetch(_ caseNo: String) throws -> CaseRecord? {
        select.bind(1, caseNo)
        return try select.first(CaseBook.read)
    }

    func update(_ c: CaseRecord) throws {
        update.bind(1, c.caseNo)
        update.bind(2, c.assisted ? 1 : 0)
        update.bind(3, c.completedAt?.seconds)
        update.bind(4, c.outcome?.rawValue)
        update.bind(5, c.visits.map(Int64.init))
        update.bind(6, c.applicantName)
        update.bind(7, c.applicantId)
        update.bind(8, c.modes.rawValue)
        update.bind(9, c.window)
        update.bind(10, c.staff)
        try update.run()
    }

    static func read(_ s: RawStatement) -> CaseRecord {
        CaseRecord(
            caseNo: s.text(0) ?? "", itemCode: s.text(1) ?? "", acceptedAt: Timestamp(seconds: s.int(2) ?? 0),
            channel: CaseChannel(rawValue: s.text(3) ?? "") ?? .window, assisted: s.int(4) == 1,
            deadline: Day(s.text(5) ?? "") ?? Day(number: 0), completedAt: s.int(6).map(Timestamp.init(seconds:)),
            outcome: s.text(7).flatMap(Outcome.init(rawValue:)), visits: s.int(8).map(Int.init),
            applicantName: s.text(9), applicantId: s.text(10), modes: ServiceModes(rawValue: Int(s.int(11) ?? 0)),
            window: s.text(12) ?? "", staff: s.text(13) ?? "")
    }
}

/// The evaluations table through prepared statements.
final class EvaluationBook {
    private let insert: RawStatement
    private let select: RawStatement
    private let update: RawStatement

    static let columns = """
        eval_id, case_no, item_code, grade, channel, evaluated_at, rectified_at, revisited_at, revisit_grade, named, appeal, appeal_at, appeal_reason,
        window, staff
        """

    init(_ db: Database) throws {
        insert = try RawStatement(db, "INSERT INTO evaluations (\(EvaluationBook.columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (eval_id) DO NOTHING")
        select = try RawStatement(db, "SELECT \(EvaluationBook.columns) FROM evaluations WHERE eval_id = ?")
        update = try RawStatement(db, """
            UPDATE evaluations SET rectified_at = ?2, revisited_at = ?3, revisit_grade = ?4, named = ?5, appeal = ?6, appeal_at = ?7, appeal_reason = ?8,
              window = ?9, staff = ?10
            WHERE eval_id = ?1
            """)
    }

    func insertIfAbsent(_ e: EvaluationRecord) throws -> Bool {
        insert.bind(1, e.evalId)
        insert.bind(2, e.caseNo)
        insert.bind(3, e.itemCode)
        insert.bind(4, e.grade.rawValue)
        insert.bind(5, e.channel.rawValue)
        insert.bind(6, e.evaluatedAt.seconds)
        insert.bind(7, e.rectifiedAt?.seconds)
        insert.bind(8, e.revisitedAt?.seconds)
        insert.bind(9, e.revisitGrade?.rawValue)
        insert.bind(10, e.named ? 1 : 0)
        insert.bind(11, e.appeal?.decision.rawValue)
        insert.bind(12, e.appeal?.decidedAt.seconds)
        insert.bind(13, e.appeal?.reason)
        insert.bind(14, e.window)
        insert.bind(15, e.staff)
        return try insert.run() == 1
    }

    func fetch(_ evalId: String) throws -> EvaluationRecord? {
        select.bind(1, evalId)
        return try select.first(EvaluationBook.read)
    }

    func update(_ e: EvaluationRecord) throws {
        update.bind(1, e.evalId)
        update.bind(2, e.rectifiedAt?.seconds)
        update.bind(3, e.revisitedAt?.seconds)
        update.bind(4, e.revisitGrade?.rawValue)
        update.bind(5, e.named ? 1 : 0)
        update.bind(6, e.appeal?.decision.rawValue)
        update.bind(7, e.appeal?.decidedAt.seconds)
        update.bind(8, e.appeal?.reason)
        update.bind(9, e.window)
        update.bind(10, e.staff)
        try update.run()
    }

    static func read(_ s: RawStatement) -> EvaluationRecord {
        let appeal = s.text(10).flatMap(AppealDecision.init(rawValue:)).map {
            Appeal(decision: $0, decidedAt: Timestamp(seconds: s.int(11) ?? 0), reason: s.text(12) ?? "")
        }
        return EvaluationRecord(
            evalId: s.text(0) ?? "", caseNo: s.text(1), itemCode: s.text(2) ?? "",
            grade: Grade(rawValue: s.text(3) ?? "") ?? .satisfied, channel: EvalChannel(rawValue: s.text(4) ?? "") ?? .window,
            evaluatedAt: Timestamp(seconds: s.int(5) ?? 0), rectifiedAt: s.int(6).map(Timestamp.init(seconds:)),
            revisitedAt: s.int(7).map(Timestamp.init(seconds:)), revisitGrade: s.text(8).flatMap(Grade.init(rawValue:)),
            named: s.int(9) == 1, appeal: appeal, window: s.text(13) ?? "", staff: s.text(14) ?? "")
    }
}

/// The consultations table: 咨询 counted, never detailed.
enum ConsultBook {
    static let columns = "consult_id, at, item_code, window, staff"

    static func read(_ s: RawStatement) -> ConsultRecord {
        ConsultRecord(consultId: s.text(0) ?? "", at: Timestamp(seconds: s.int(1) ?? 0), itemCode: s.text(2) ?? "", window: s.text(3) ?? "",
                      staff: s.text(4) ?? "")
    }

    /// Calls `body` with every consultation recorded.
    static func each(_ db: Database, _ body: (ConsultRecord) throws -> Void) throws {
        let s = try RawStatement(db, "SELECT \(columns) FROM consultations")
        try s.each { try body(read($0)) }
    }

    /// Inserts `c` unless its id is recorded; true when inserted. A consultation never changes.
    static func insertIfAbsent(_ db: Database, _ c: ConsultRecord) throws -> Bool {
        try db.cachedStatement(sql: "INSERT INTO consultations (\(columns)) VALUES (?, ?, ?, ?, ?) ON CONFLICT (consult_id) DO NOTHING")
            .execute(arguments: [c.consultId, c.at.seconds, c.itemCode, c.window, c.staff])
        return db.changesCount == 1
    }
}
