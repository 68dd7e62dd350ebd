import GRDB
import SanjiCore

extension NodeStore {
    static func invalid(_ problems: [RowParser.Problem]) -> SanjiError {
        SanjiError(.invalidArgument, problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
    }

    /// An id a person typed, in its canonical form (`Identifier`), or why it cannot be one.
    static func canonical(_ text: String, field: String) throws -> String {
        switch Identifier.canonical(text) {
        case .success(let id): return id
        case .failure(let why): throw SanjiError(.invalidArgument, "\(field): \(why.reason)")
        }
    }

    /// Records a newly accepted case. `fields` uses the cases.csv column names.
    public func acceptCase(_ fields: [String: String], now: Timestamp? = nil) throws -> CaseRecord {
        let now = now ?? clock.now
        return try write { db in
            let intake = try Intake(db, store: self, now: now)
            var problems: [RowParser.Problem] = []
            guard let (c, item) = intake.parser(now: now).parseCase({ fields[$0]?.trimmingSpaces ?? "" }, problems: &problems) else {
                throw Self.invalid(problems)
            }
            if let existing = try intake.cases.fetch(c.caseNo) {
                throw SanjiError(.caseConflict, "case \(c.caseNo) is already recorded (accepted \(zone.format(existing.acceptedAt)) for item \(existing.itemCode))",
                                 hint: "use `sanji case complete --case-no \(c.caseNo)` to complete it, or another case number")
            }
            switch try intake.put(c, item: item) {
            case .failure(let f): throw Self.invalid([(f.field, f.message)])
            case .success: break
            }
            try intake.finish()
            return c
        }
    }

    /// Completes an open case.
    /// `modes`: service modes learnt at completion (邮寄 of the result, most often), added to the case's.
    public func completeCase(_ caseNo: String, at text: String?, outcome: String, visits: Int, modes: ServiceModes = [], now: Timestamp? = nil) throws -> CaseRecord {
        let now = now ?? clock.now
        let caseNo = try Self.canonical(caseNo, field: "--case-no")
        return try write { db in
            let intake = try Intake(db, store: self, now: now)
            guard let old = try intake.cases.fetch(caseNo) else {
                throw SanjiError(.unknownCase, "no case \(caseNo) is recorded at this station", hint: "accept it first with `sanji case accept`, or check the number")
            }
            if let done = old.completedAt {
                throw SanjiError(.caseConflict, "case \(caseNo) was already completed at \(zone.format(done))")
            }
            var problems: [RowParser.Problem] = []
            let parser = intake.parser(now: now)
            let at = text.map { parser.time($0, field: "completed_at", required: true, problems: &problems) } ?? now
            let result = Outcome(text: outcome)
            if result == nil { problems.append(("outcome", "\"\(outcome)\" is not an outcome; one of approved|rejected|withdrawn (or 准予/不予/撤回)")) }
            if visits < 0 || visits > 99 { problems.append(("visits", "\(visits) is not a number of visits (0 to 99)")) }
            if let at, at < old.acceptedAt {
                problems.append(("completed_at", "\(zone.format(at)) is before the case was accepted (\(zone.format(old.acceptedAt)))"))
            }
            guard problems.isEmpty, let at, let result else { throw Self.invalid(problems) }
            var new = old
            new.completedAt = at
            new.outcome = result
            new.visits = visits
            new.modes = ServiceModes(rawValue: old.modes.rawValue | modes.rawValue)
            new.assisted = old.assisted || new.modes.contains(ServiceMode.help) || new.modes.contains(ServiceMode.proxy)
            try intake.replace(old, with: new)
            try intake.finish()
            return new
        }
    }

    /// Records an evaluation; makes a local id (`<node>-E000001`) when none is given.
    public func addEvaluation(_ fields: [String: String], now: Timestamp? = nil) throws -> EvaluationRecord {
        let now = now ?? clock.now
        return try write { db in
            let intake = try Intake(db, store: self, now: now)
            var fields = fields
            if (fields["eval_id"] ?? "").isEmpty {
                let n = try Counter.value(db, .evalLocal) + 1
                try Counter.set(db, .evalLocal, n)
                let digits = String(n)
                fields["eval_id"] = "\(identity.id)-E" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
            }
            if (fields["evaluated_at"] ?? "").isEmpty { fields["evaluated_at"] = zone.format(now) }
            var problems: [RowParser.Problem] = []
            guard let e = try intake.parser(now: now).parseEvaluation(
                { fields[$0]?.trimmingSpaces ?? "" }, caseLookup: { try intake.cases.fetch($0) }, problems: &problems)
            else { throw Self.invalid(problems) }
            if try intake.evaluations.fetch(e.evalId) != nil {
                throw SanjiError(.caseConflict, "evaluation \(e.evalId) is already recorded")
            }
            _ = try intake.put(e)
            try intake.finish()
            return e
        }
    }

    /// Marks a 差评 rectified (整改).
    public func rectify(_ evalId: String, at text: String?, now: Timestamp? = nil) throws -> EvaluationRecord {
        let now = now ?? clock.now
        return try updateBadReview(evalId, at: text, now: now) { e, at in
            if let done = e.rectifiedAt { throw SanjiError(.caseConflict, "evaluation \(evalId) was already rectified at \(self.zone.format(done))") }
            e.rectifiedAt = at
        }
    }

    /// Records the 回访 (follow-up visit) of a 差评 and the grade the applicant gave then.
    public func revisit(_ evalId: String, at text: String?, grade: String, now: Timestamp? = nil) throws -> EvaluationRecord {
        let now = now ?? clock.now
        return try updateBadReview(evalId, at: text, now: now) { e, at in
            if let done = e.revisitedAt { throw SanjiError(.caseConflict, "evaluation \(evalId) was already revisited at \(self.zone.format(done))") }
            // 回访 asks whether the 整改 satisfied the applicant: there must be one, and before it.
            guard let fixed = e.rectifiedAt else {
                throw SanjiError(.invalidArgument, "evaluation \(evalId) has no 整改 yet; 回访 follows 整改",
                                 hint: "record the 整改 first: `sanji eval rectify \(evalId)`")
            }
            if at < fixed {
                throw SanjiError(.invalidArgument, "--at: \(self.zone.format(at)) is before the 整改 (\(self.zone.format(fixed))); 回访 follows 整改")
            }
            guard case .success(let g) = Grade.parse(grade, codes: nil) else {
                throw SanjiError(.invalidArgument, "--grade: \"\(grade)\" is not a grade; one of 非常满意|满意|基本满意|不满意|非常不满意")
            }
            e.revisitedAt = at
            e.revisitGrade = g
        }
    }

    /// Records the 申诉复核 (appeal review) of a 差评. An upheld appeal (恶意 or 误评) takes the
    /// 差评 out of the figures from the day it was decided; its record stays, and is counted apart.
    public func appeal(_ evalId: String, decision: AppealDecision, reason: String, at text: String?, now: Timestamp? = nil) throws -> EvaluationRecord {
        let now = now ?? clock.now
        let reason = reason.trimmingSpaces
        guard !reason.isEmpty else {
            throw SanjiError(.invalidArgument, "--reason is empty; say why the appeal was \(decision == .upheld ? "upheld (恶意 or 误评, and how it was found)" : "rejected")")
        }
        return try updateBadReview(evalId, at: text, now: now) { e, at in
            if let done = e.appeal {
                throw SanjiError(.caseConflict, "evaluation \(evalId) was already reviewed on appeal (\(done.decision.label), \(self.zone.format(done.decidedAt)))")
            }
            e.appeal = Appeal(decision: decision, decidedAt: at, reason: reason)
        }
    }

    private func updateBadReview(
        _ evalId: String, at text: String?, now: Timestamp, change: (inout EvaluationRecord, Timestamp) throws -> Void
    ) throws -> EvaluationRecord {
        let evalId = try Self.canonical(evalId, field: "evaluation id")
        return try write { db in
            let intake = try Intake(db, store: self, now: now)
            guard let old = try intake.evaluations.fetch(evalId) else {
                throw SanjiError(.unknownEvaluation, "no evaluation \(evalId) is recorded at this station", hint: "`sanji eval list` shows the 差评 and their ids")
            }
            guard old.grade.isBad else {
                throw SanjiError(.invalidArgument, "evaluation \(evalId) is \(old.grade.rawValue), not a 差评; only 不满意/非常不满意 are rectified and revisited")
            }
            var problems: [RowParser.Problem] = []
            let at = text.map { intake.parser(now: now).time($0, field: "--at", required: true, problems: &problems) } ?? now
            guard let at else { throw Self.invalid(problems) }
            if at < old.evaluatedAt {
                throw SanjiError(.invalidArgument, "--at: \(zone.format(at)) is before the evaluation (\(zone.format(old.evaluatedAt)))")
            }
            var new = old
            try change(&new, at)
            try intake.replace(old, with: new)
            try intake.finish()
            return new
        }
    }

    /// 差评 at this station, newest first, for `eval list --bad`.
    public func badReviews() throws -> [EvaluationRecord] {
        try read { db in
            let book = try EvaluationBook(db)
            let ids = try String.fetchAll(db, sql: "SELECT eval_id FROM evaluations WHERE grade IN ('不满意', '非常不满意') ORDER BY evaluated_at DESC")
            return try ids.compactMap { try book.fetch($0) }
        }
    }

    /// The case numbered `caseNo` (read in canonical form), or nil; throws when `caseNo` cannot be a case number.
    public func fetchCase(_ caseNo: String) throws -> CaseRecord? {
        let caseNo = try Self.canonical(caseNo, field: "case number")
        return try read { db in try CaseBook(db).fetch(caseNo) }
    }
}

extension NodeStore {
    /// This station's cases accepted on or after `from` (all when nil), applicant details
    /// included, for `sanji export` (a file that stays at the station: moving records between
    /// copies of one station, or to a replacement PC).
    public func exportCases(from: Day? = nil) throws -> [CaseRecord] {
        try read { db in
            let s = try RawStatement(db, "SELECT \(CaseBook.columns) FROM cases WHERE accepted_at >= ? ORDER BY accepted_at, case_no")
            s.bind(1, from.map { zone.timestamp(localSeconds: Int64($0.number) * 86_400).seconds } ?? Int64.min)
            var out: [CaseRecord] = []
            try s.each { out.append(CaseBook.read($0)) }
            return out
        }
    }

    /// This station's evaluations given on or after `from` (all when nil), for `sanji export`.
    public func exportEvaluations(from: Day? = nil) throws -> [EvaluationRecord] {
        try read { db in
            let s = try RawStatement(db, "SELECT \(EvaluationBook.columns) FROM evaluations WHERE evaluated_at >= ? ORDER BY evaluated_at, eval_id")
            s.bind(1, from.map { zone.timestamp(localSeconds: Int64($0.number) * 86_400).seconds } ?? Int64.min)
            var out: [EvaluationRecord] = []
            try s.each { out.append(EvaluationBook.read($0)) }
            return out
        }
    }
}
