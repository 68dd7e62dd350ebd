/// A case that passed its deadline open, or was completed late: an exception record. It travels
/// to the root beside the summary rows (docs/protocol.md) and holds no applicant detail: the
/// 办件编号, the item and the dates only.
public struct OverdueCase: Hashable, Sendable {
    /// The station that recorded the case.
    public var origin: String
    /// 办件编号.
    public var caseNo: String
    /// The item code (事项编码).
    public var item: String
    /// 实施部门 of the item when the record was made.
    public var department: String
    /// The day the case was accepted: the record counts in its month.
    public var acceptedDay: Day
    /// The promised deadline (承诺办结日).
    public var deadline: Day
    /// nil while open.
    public var completedDay: Day?
    /// The window that accepted the case, or empty.
    public var window: String

    /// An overdue-case record as made or received.
    public init(origin: String, caseNo: String, item: String, department: String, acceptedDay: Day, deadline: Day, completedDay: Day?,
                window: String = "") {
        self.window = window
        self.origin = origin
        self.caseNo = caseNo
        self.item = item
        self.department = department
        self.acceptedDay = acceptedDay
        self.deadline = deadline
        self.completedDay = completedDay
    }

    /// The record a case makes on `today`: completed after its deadline, or still open after it.
    /// nil when the case is no exception (yet). A record, once made, is kept and updated: a case
    /// that was open past its deadline stays listed for the days it was.
    public static func of(_ c: CaseRecord, origin: String, department: String, zone: ZoneRule, today: Day) -> OverdueCase? {
        let done = c.completedAt.map(zone.day(of:))
        if let done, done <= c.deadline { return nil }
        if done == nil, c.deadline >= today { return nil }
        return OverdueCase(origin: origin, caseNo: c.caseNo, item: c.itemCode, department: department,
                           acceptedDay: zone.day(of: c.acceptedAt), deadline: c.deadline, completedDay: done, window: c.window)
    }

    /// How the case stood as at the end of a period: open past its deadline, or completed late
    /// within the period; nil when neither (on time, or its lateness belongs to another period).
    public func state(at a: AsAt) -> OverdueState? {
        if acceptedDay <= a.lastDay, deadline < a.deadlineCut, completedDay.map({ $0 > a.lastDay }) ?? true { return .open }
        if let done = completedDay, done > deadline, a.period.from <= done, done <= a.lastDay { return .completedLate }
        return nil
    }

    /// Working days past the deadline: to its completion, or to the period's end while open.
    public func workingDaysOverdue(at a: AsAt, calendar: WorkCalendar) -> Int {
        let end = completedDay.map { min($0, a.lastDay) } ?? a.lastDay
        return calendar.workingDays(from: deadline.adding(days: 1), through: end)
    }
}

/// How an overdue case stood as at a period's end.
public enum OverdueState: String, Sendable {
    /// Still open past its deadline at the period's end (期末超期未办结).
    case open
    /// Completed within the period, after its deadline (超期办结).
    case completedLate = "completed_late"
}

/// A 差评 as an exception record: what its follow-up figures need, dated, so that they can be
/// computed as at any day. No applicant detail and no free text (an appeal's reason stays home).
public struct BadReview: Hashable, Sendable {
    /// The station that recorded the evaluation.
    public var origin: String
    /// 评价编号.
    public var evalId: String
    /// The item code, or empty for an evaluation of the station as a whole.
    public var item: String
    /// 不满意 or 非常不满意.
    public var grade: Grade
    /// Where the evaluation was given.
    public var channel: EvalChannel
    /// The evaluation day: the 整改 limit runs from it.
    public var day: Day
    /// 实名: the evaluator gave their name (its 回访 is a duty, 100 %).
    public var named: Bool
    /// The 整改 day; nil until rectified.
    public var rectifiedDay: Day?
    /// The 回访 day; nil until revisited.
    public var revisitedDay: Day?
    /// The grade given at the 回访, if one was recorded.
    public var revisitGrade: Grade?
    /// The 申诉复核 decision; nil when not appealed.
    public var appeal: AppealDecision?
    /// The day the appeal was decided; nil exactly when `appeal` is.
    public var appealDay: Day?
    /// The window evaluated, or empty.
    public var window: String

    /// A 差评 record as made or received.
    public init(origin: String, evalId: String, item: String, grade: Grade, channel: EvalChannel, day: Day, named: Bool,
                rectifiedDay: Day? = nil, revisitedDay: Day? = nil, revisitGrade: Grade? = nil, appeal: AppealDecision? = nil, appealDay: Day? = nil,
                window: String = "") {
        self.window = window
        self.origin = origin
        self.evalId = evalId
        self.item = item
        self.grade = grade
        self.channel = channel
        self.day = day
        self.named = named
        self.rectifiedDay = rectifiedDay
        self.revisitedDay = revisitedDay
        self.revisitGrade = revisitGrade
        self.appeal = appeal
        self.appealDay = appealDay
    }

    /// The record of an evaluation; nil unless it is a 差评.
    public static func of(_ e: EvaluationRecord, origin: String, zone: ZoneRule) -> BadReview? {
        guard e.grade.isBad else { return nil }
        return BadReview(origin: origin, evalId: e.evalId, item: e.itemCode, grade: e.grade, channel: e.channel, day: zone.day(of: e.evaluatedAt),
                         named: e.named, rectifiedDay: e.rectifiedAt.map(zone.day(of:)), revisitedDay: e.revisitedAt.map(zone.day(of:)),
                         revisitGrade: e.revisitGrade, appeal: e.appeal?.decision, appealDay: e.appeal.map { zone.day(of: $0.decidedAt) },
                         window: e.window)
    }

    /// The last day for its 整改: `rectifyDays` working days after the evaluation.
    public func rectifyDue(_ catalog: Catalog) -> Day { catalog.calendar.deadline(acceptedOn: day, workingDays: catalog.rectifyDays) }

    /// Rectified on or before `day`.
    public func rectified(by day: Day) -> Bool { rectifiedDay.map { $0 <= day } ?? false }
    /// Revisited on or before `day`.
    public func revisited(by day: Day) -> Bool { revisitedDay.map { $0 <= day } ?? false }
    /// Taken out of the figures by an upheld appeal decided by `day`.
    public func upheld(by day: Day) -> Bool { appeal == .upheld && (appealDay.map { $0 <= day } ?? false) }
    /// The appeal decision if it was decided by `day`, else nil.
    public func appealDecided(by day: Day) -> AppealDecision? { appealDay.map { $0 <= day } == true ? appeal : nil }

    /// Past its 整改 limit and not rectified, as at the end of a period (超期未整改), unless an
    /// upheld appeal took it out.
    public func overdueUnrectified(at a: AsAt, catalog: Catalog) -> Bool {
        day <= a.lastDay && !rectified(by: a.lastDay) && !upheld(by: a.lastDay) && rectifyDue(catalog) < a.deadlineCut
    }
}

/// One exception record, whole: an overdue case or a 差评 with its follow-up. It travels whole
/// (`ExceptionRowState` adds the rev it has at its origin), so the newest state always wins.
public enum ExceptionRecord: Hashable, Sendable {
    case overdueCase(OverdueCase)
    case badReview(BadReview)

    /// The station that made the record.
    public var origin: String {
        switch self {
        case .overdueCase(let c): c.origin
        case .badReview(let r): r.origin
        }
    }

    /// The case number or evaluation id: unique per origin and kind.
    public var id: String {
        switch self {
        case .overdueCase(let c): c.caseNo
        case .badReview(let r): r.evalId
        }
    }

    /// The day whose month the record belongs to in digests and healing: acceptance or evaluation.
    public var day: Day {
        switch self {
        case .overdueCase(let c): c.acceptedDay
        case .badReview(let r): r.day
        }
    }
}

extension ExceptionRecord {
    /// Why no station could have made this record, or nil (a deadline before acceptance, a 整改
    /// before the evaluation …).
    public var impossibility: String? {
        switch self {
        case .overdueCase(let c):
            if c.deadline < c.acceptedDay { return "overdue case \(c.caseNo) of \(c.origin): deadline \(c.deadline) is before acceptance \(c.acceptedDay)" }
            if let done = c.completedDay, done < c.acceptedDay { return "overdue case \(c.caseNo) of \(c.origin): completed \(done) before acceptance \(c.acceptedDay)" }
        case .badReview(let r):
            let what = "差评 \(r.evalId) of \(r.origin)"
            for (name, d) in [("整改", r.rectifiedDay), ("回访", r.revisitedDay), ("申诉", r.appealDay)] {
                if let d, d < r.day { return "\(what): \(name) \(d) is before the evaluation \(r.day)" }
            }
            // (回访 without 整改 is refused at intake, but a store from before 0.2.0 may hold one: it stays.)
            if r.revisitGrade != nil, r.revisitedDay == nil { return "\(what): a 回访 grade without a 回访" }
        }
        return nil
    }
}

/// An exception record with the rev it has at its origin, as a ROWS batch carries it: the
/// highest origin rev wins and replays change nothing (the same rule as summary rows).
public struct ExceptionRowState: Hashable, Sendable {
    /// The record's rev at its origin: the highest wins.
    public var originRev: UInt64
    /// The record's whole state.
    public var record: ExceptionRecord

    /// An exception record stamped with its origin rev.
    public init(originRev: UInt64, record: ExceptionRecord) {
        self.originRev = originRev
        self.record = record
    }
}

/// The moment a period's figures and lists describe (docs/figures.md, "as at the period's
/// end"): the end of its last day, or now for a period that has not ended.
public struct AsAt: Hashable, Sendable {
    /// The period the figures cover.
    public let period: Period
    /// The last day whose events count: the period's last day, or today while it runs.
    public let lastDay: Day
    /// A deadline (or 整改 limit) before this day has passed: the day after an ended period, or
    /// today while it runs (a case due today is not late yet).
    public let deadlineCut: Day

    /// nil for a period that has not begun.
    public init?(_ period: Period, today: Day) {
        guard period.from <= today else { return nil }
        self.period = period
        if period.to < today {
            lastDay = period.to
            deadlineCut = period.to.adding(days: 1)
        } else {
            lastDay = today
            deadlineCut = today
        }
    }

    /// Whether the period is over (its figures will not change except by late-arriving records).
    public var ended: Bool { deadlineCut > lastDay }
}
