/// A service case (办件) as the station that recorded it holds it. Applicant fields are
/// private to that station: they are stored there and never leave it.
public struct CaseRecord: Hashable, Sendable {
    /// 办件编号: unique at the station that recorded the case.
    public var caseNo: String
    /// The catalogue item (事项编码) the case is for.
    public var itemCode: String
    /// When the case was accepted (受理); its day is the acceptance day of the figures.
    public var acceptedAt: Timestamp
    /// How the application came in (窗口, 网上, 掌上, 自助, 代办 …).
    public var channel: CaseChannel
    /// 帮办代办: marked assisted, brought by an agent (channel `agent`), or served with 帮办 or 代办.
    public var assisted: Bool
    /// The service modes (帮办, 代办, 上门, 预约, 延时, 邮寄); the `agent` channel implies 代办 and
    /// the `home` channel 上门.
    public var modes: ServiceModes
    /// The window (窗口编号) that accepted the case; empty when not known. Public configuration: it travels.
    public var window: String
    /// The 工号 of the staff member who handled the case; empty when not known. A public servant's
    /// work id, not applicant data; its figures leave the station only if the county says so.
    public var staff: String
    /// The promised deadline (承诺时限 on the working-day calendar), fixed when accepted.
    public var deadline: Day
    /// When the case was completed (办结); nil while it is open.
    public var completedAt: Timestamp?
    /// How it ended (准予, 不予, 撤回); nil while open.
    public var outcome: Outcome?
    /// 跑动次数: times the applicant came in person, known at completion.
    public var visits: Int?
    /// The applicant's name: kept at the station, never sent.
    public var applicantName: String?
    /// The applicant's id number: kept at the station, never sent.
    public var applicantId: String?

    /// A case as recorded; a case of the `agent` channel is always 代办 (and so assisted), one of
    /// the `home` channel always 上门.
    public init(
        caseNo: String, itemCode: String, acceptedAt: Timestamp, channel: CaseChannel, assisted: Bool,
        deadline: Day, completedAt: Timestamp? = nil, outcome: Outcome? = nil, visits: Int? = nil,
        applicantName: String? = nil, applicantId: String? = nil, modes: ServiceModes = [], window: String = "", staff: String = ""
    ) {
        var modes = modes
        if channel == .agent { modes.insert(ServiceMode.proxy) }
        if channel == .home { modes.insert(ServiceMode.home) }
        self.modes = modes
        self.window = window
        self.staff = staff
        self.caseNo = caseNo
        self.itemCode = itemCode
        self.acceptedAt = acceptedAt
        self.channel = channel
        self.assisted = assisted || modes.contains(ServiceMode.help) || modes.contains(ServiceMode.proxy)
        self.deadline = deadline
        self.completedAt = completedAt
        self.outcome = outcome
        self.visits = visits
        self.applicantName = applicantName
        self.applicantId = applicantId
    }

    /// Whether the case is 办结.
    public var isCompleted: Bool { completedAt != nil }

    /// The longest 办件编号 accepted, in characters.
    public static let maxCaseNoLength = 64
}

/// The outcome of a 申诉复核 (appeal review) of a 差评.
public enum AppealDecision: String, CaseIterable, Sendable {
    /// The 差评 was found 恶意 or 误评: it leaves the figures; its record stays.
    case upheld
    /// The 差评 stands.
    case rejected

    /// The decision as printed: 申诉成立 or 申诉不成立.
    public var label: String { self == .upheld ? "申诉成立" : "申诉不成立" }
}

/// A decided appeal. The reason is the reviewer's own text: it stays at the station.
public struct Appeal: Hashable, Sendable {
    /// 申诉成立 or 申诉不成立.
    public var decision: AppealDecision
    /// When the appeal was decided: from that day an upheld 差评 leaves the figures.
    public var decidedAt: Timestamp
    /// The reviewer's reason, in their words; never sent up.
    public var reason: String

    /// A decided appeal.
    public init(decision: AppealDecision, decidedAt: Timestamp, reason: String) {
        self.decision = decision
        self.decidedAt = decidedAt
        self.reason = reason
    }
}

/// A 好差评 evaluation. A 差评 carries its 整改 (rectification), 回访 (follow-up visit) and,
/// when it was appealed, the 申诉复核 decision.
public struct EvaluationRecord: Hashable, Sendable {
    /// 评价编号: unique at the station that recorded the evaluation.
    public var evalId: String
    /// The 办件编号 evaluated, or nil for an evaluation not tied to one case.
    public var caseNo: String?
    /// The case's item, or empty for an evaluation of the station as a whole.
    public var itemCode: String
    /// The grade given, 非常满意 … 非常不满意; 不满意 and 非常不满意 are 差评.
    public var grade: Grade
    /// Where the evaluation was given (窗口, 评价器, 网上, 短信 …).
    public var channel: EvalChannel
    /// When the evaluation was given; its day is the day the grade counts on.
    public var evaluatedAt: Timestamp
    /// When the 差评 was rectified (整改); nil until then.
    public var rectifiedAt: Timestamp?
    /// When the 差评 was revisited (回访); never before its 整改.
    public var revisitedAt: Timestamp?
    /// The grade the evaluator gave at the 回访, if one was recorded.
    public var revisitGrade: Grade?
    /// 实名: the evaluator gave their name (a 实名差评 must be revisited, 100 %).
    public var named: Bool
    /// The 申诉复核 decision, when the 差评 was appealed.
    public var appeal: Appeal?
    /// The window evaluated (its case's window when the evaluation names a case); empty when not known.
    public var window: String
    /// The 工号 of the staff member evaluated; empty when not known.
    public var staff: String

    /// An evaluation as recorded; 匿名, unrectified and unappealed unless said otherwise.
    public init(
        evalId: String, caseNo: String?, itemCode: String, grade: Grade, channel: EvalChannel,
        evaluatedAt: Timestamp, rectifiedAt: Timestamp? = nil, revisitedAt: Timestamp? = nil, revisitGrade: Grade? = nil,
        named: Bool = false, appeal: Appeal? = nil, window: String = "", staff: String = ""
    ) {
        self.window = window
        self.staff = staff
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

/// A 咨询 (consultation) the station answered that is no case: counted, never detailed. It holds
/// no applicant data and no question text, only when, where and about which item.
public struct ConsultRecord: Hashable, Sendable {
    /// 咨询编号: unique at the station (an import's line may name it; `sanji consult add` makes one).
    public var consultId: String
    /// When it was answered; its day is the day it counts on.
    public var at: Timestamp
    /// The item asked about, or empty.
    public var itemCode: String
    /// The window that answered; empty when not known.
    public var window: String
    /// The 工号 of the staff member who answered; empty when not known.
    public var staff: String

    /// A consultation as recorded.
    public init(consultId: String, at: Timestamp, itemCode: String = "", window: String = "", staff: String = "") {
        self.consultId = consultId
        self.at = at
        self.itemCode = itemCode
        self.window = window
        self.staff = staff
    }
}
