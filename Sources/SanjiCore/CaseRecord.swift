/// A service case (办件) as the station that recorded it holds it. Applicant fields are
/// private to that station: they are stored there and never leave it.
public struct CaseRecord: Hashable, Sendable {
    public var caseNo: String
    public var itemCode: String
    public var acceptedAt: Timestamp
    public var channel: CaseChannel
    /// 帮办代办: marked assisted, or brought by an agent (channel `agent`).
    public var assisted: Bool
    /// The promised deadline (承诺时限 on the working-day calendar), fixed when accepted.
    public var deadline: Day
    public var completedAt: Timestamp?
    public var outcome: Outcome?
    /// 跑动次数: times the applicant came in person, known at completion.
    public var visits: Int?
    public var applicantName: String?
    public var applicantId: String?

    public init(
        caseNo: String, itemCode: String, acceptedAt: Timestamp, channel: CaseChannel, assisted: Bool,
        deadline: Day, completedAt: Timestamp? = nil, outcome: Outcome? = nil, visits: Int? = nil,
        applicantName: String? = nil, applicantId: String? = nil
    ) {
        self.caseNo = caseNo
        self.itemCode = itemCode
        self.acceptedAt = acceptedAt
        self.channel = channel
        self.assisted = assisted || channel == .agent
        self.deadline = deadline
        self.completedAt = completedAt
        self.outcome = outcome
        self.visits = visits
        self.applicantName = applicantName
        self.applicantId = applicantId
    }

    public var isCompleted: Bool { completedAt != nil }

    public static let maxCaseNoLength = 64
}

/// The outcome of a 申诉复核 (appeal review) of a 差评.
public enum AppealDecision: String, CaseIterable, Sendable {
    /// The 差评 was found 恶意 or 误评: it leaves the figures; its record stays.
    case upheld
    /// The 差评 stands.
    case rejected

    public var label: String { self == .upheld ? "申诉成立" : "申诉不成立" }
}

/// A decided appeal. The reason is the reviewer's own text: it stays at the station.
public struct Appeal: Hashable, Sendable {
    public var decision: AppealDecision
    public var decidedAt: Timestamp
    public var reason: String

    public init(decision: AppealDecision, decidedAt: Timestamp, reason: String) {
        self.decision = decision
        self.decidedAt = decidedAt
        self.reason = reason
    }
}

/// A 好差评 evaluation. A 差评 carries its 整改 (rectification), 回访 (follow-up visit) and,
/// when it was appealed, the 申诉复核 decision.
public struct EvaluationRecord: Hashable, Sendable {
    public var evalId: String
    public var caseNo: String?
    /// The case's item, or empty for an evaluation of the station as a whole.
    public var itemCode: String
    public var grade: Grade
    public var channel: EvalChannel
    public var evaluatedAt: Timestamp
    public var rectifiedAt: Timestamp?
    public var revisitedAt: Timestamp?
    public var revisitGrade: Grade?
    /// 实名: the evaluator gave their name (a 实名差评 must be revisited, 100 %).
    public var named: Bool
    public var appeal: Appeal?

    public init(
        evalId: String, caseNo: String?, itemCode: String, grade: Grade, channel: EvalChannel,
        evaluatedAt: Timestamp, rectifiedAt: Timestamp? = nil, revisitedAt: Timestamp? = nil, revisitGrade: Grade? = nil,
        named: Bool = false, appeal: Appeal? = nil
    ) {
        self.evalId = evalId
        self.caseNo = caseNo
        self.itemCode = itemCode
        self.grade = grade
        self.channel = channel
        self.evaluatedAt = evaluatedAt
        self.rectifiedAt = rectifiedAt
        self.revisitedAt = revisitedAt
        self.revisitGrade = revisitGrade
        self.named = named
        self.appeal = appeal
    }
}
