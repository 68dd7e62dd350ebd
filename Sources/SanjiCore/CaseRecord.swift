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

/// A 好差评 evaluation. A 差评 carries its 整改 (rectification) and 回访 (follow-up visit).
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

    public init(
        evalId: String, caseNo: String?, itemCode: String, grade: Grade, channel: EvalChannel,
        evaluatedAt: Timestamp, rectifiedAt: Timestamp? = nil, revisitedAt: Timestamp? = nil, revisitGrade: Grade? = nil
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
    }
}
