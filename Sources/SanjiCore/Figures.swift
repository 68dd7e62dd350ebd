/// The follow-up of one period's 差评, as at the period's end (docs/figures.md): counted from
/// `BadReview` records, whose dates tell how each one stood on any day.
public struct ReviewTally: Hashable, Sendable {
    /// 差评 evaluated in the period, less those an upheld appeal took out by its end.
    public var bad = 0
    /// Of `bad`, 实名差评.
    public var named = 0
    /// Of `bad`, those rectified by the period's end.
    public var rectified = 0
    /// Of `bad`, those whose 整改 limit had passed by the period's end, or that were rectified:
    /// the 差评 that had to be rectified by then (整改及时率's denominator).
    public var rectifyDue = 0
    /// Of `rectifyDue`, those rectified within the 整改 limit and by the period's end.
    public var rectifiedInTime = 0
    /// Of `bad`, those revisited by the period's end.
    public var revisited = 0
    /// Of `named`, those revisited by the period's end.
    public var namedRevisited = 0
    /// 回访 with a grade recorded, and of those, the ones not themselves 差评.
    public var revisitGraded = 0
    /// Of `revisitGraded`, those graded 基本满意 or better.
    public var revisitSatisfied = 0
    /// 差评 taken out by an upheld 申诉复核, counted on their own.
    public var upheld = 0

    /// No 差评.
    public init() {}

    /// Adds one record of a 差评 evaluated in the period of `a`.
    public mutating func add(_ r: BadReview, at a: AsAt, catalog: Catalog) {
        let end = a.lastDay
        if r.upheld(by: end) {
            upheld += 1
            return
        }
        bad += 1
        if r.named { named += 1 }
        let due = r.rectifyDue(catalog)
        let done = r.rectified(by: end)
        if done { rectified += 1 }
        if done || due < a.deadlineCut { rectifyDue += 1 }
        if let d = r.rectifiedDay, d <= end, d <= due { rectifiedInTime += 1 }
        if r.revisited(by: end) {
            revisited += 1
            if r.named { namedRevisited += 1 }
            if let g = r.revisitGrade {
                revisitGraded += 1
                if !g.isBad { revisitSatisfied += 1 }
            }
        }
    }

    /// What can be told of a unit's 差评 from its grades alone, where no 差评 records name the unit
    /// (a staff member's): 差评 as given, appeals not taken out, no 整改 or 回访 known. The 整改 and
    /// 回访 rates are then undefined (their denominators stay 0), never 0 %.
    public static func fromGrades(_ c: SummaryCounters) -> ReviewTally {
        var r = ReviewTally()
        r.bad = c.badReviews
        r.fromGradesOnly = true
        return r
    }

    /// Set by `fromGrades`: the 差评 count stands, their follow-up is unknown.
    public var fromGradesOnly = false

    /// Field-wise sum of two groups' tallies.
    public static func + (a: ReviewTally, b: ReviewTally) -> ReviewTally {
        var r = a
        r.bad += b.bad
        r.named += b.named
        r.rectified += b.rectified
        r.rectifyDue += b.rectifyDue
        r.rectifiedInTime += b.rectifiedInTime
        r.revisited += b.revisited
        r.namedRevisited += b.namedRevisited
        r.revisitGraded += b.revisitGraded
        r.revisitSatisfied += b.revisitSatisfied
        r.upheld += b.upheld
        r.fromGradesOnly = a.fromGradesOnly || b.fromGradesOnly
        return r
    }
}

/// What one group (a node, an item, a level) adds to a period's figures: the period's counters,
/// the cases carried in and left overdue at its end, and the follow-up of its 差评.
public struct Tally: Hashable, Sendable {
    /// Sums of the summary rows of the period's days (up to `AsAt.lastDay`).
    public var counters = SummaryCounters()
    /// 期初在办: accepted before the period and not completed before it.
    public var openStart = 0
    /// 期末超期未办结: open at the period's end, past the deadline.
    public var overdueOpenEnd = 0
    /// The follow-up of the period's 差评.
    public var reviews = ReviewTally()

    /// A tally from its parts.
    public init(counters: SummaryCounters = SummaryCounters(), openStart: Int = 0, overdueOpenEnd: Int = 0, reviews: ReviewTally = ReviewTally()) {
        self.counters = counters
        self.openStart = openStart
        self.overdueOpenEnd = overdueOpenEnd
        self.reviews = reviews
    }

    /// From cumulative sums of summary rows (docs/figures.md, "as at the period's end"):
    /// `beforeFrom` over every day before the period, `throughEnd` through its last day, and
    /// `beforeCut` over every day before the deadline cut.
    public init(beforeFrom: SummaryCounters, throughEnd: SummaryCounters, beforeCut: SummaryCounters, reviews: ReviewTally = ReviewTally()) {
        counters = throughEnd - beforeFrom
        openStart = beforeFrom.accepted - beforeFrom.completed
        // Open past the deadline = due before the cut − due and met − completed late by the end.
        // (A case completed late by the end was due before it, so nothing is subtracted twice.)
        overdueOpenEnd = beforeCut.due - beforeCut.dueMet - throughEnd.completedLate
        self.reviews = reviews
    }

    /// Field-wise sum of two groups' tallies.
    public static func + (a: Tally, b: Tally) -> Tally {
        Tally(counters: a.counters + b.counters, openStart: a.openStart + b.openStart,
              overdueOpenEnd: a.overdueOpenEnd + b.overdueOpenEnd, reviews: a.reviews + b.reviews)
    }

    /// Adds `b` to `a`.
    public static func += (a: inout Tally, b: Tally) { a = a + b }

    /// Nothing in the period, nothing carried in, nothing left overdue, no 差评: a group that a
    /// breakdown by item or department leaves out.
    public var isEmpty: Bool { counters.isZero && openStart == 0 && overdueOpenEnd == 0 && reviews == ReviewTally() }
}

/// The case and evaluation figures of docs/figures.md over one period, as at its end.
public struct PeriodFigures: Hashable, Sendable {
    /// The sums the figures are computed from.
    public let tally: Tally

    /// The figures of a tally.
    public init(_ tally: Tally) { self.tally = tally }

    /// The period's summed counters.
    public var counters: SummaryCounters { tally.counters }

    /// 办件量 (本期受理): cases accepted in the period.
    public var accepted: Int { counters.accepted }
    /// 办结量 (本期办结): cases completed in the period.
    public var completed: Int { counters.completed }
    /// 期初在办.
    public var openStart: Int { tally.openStart }
    /// 期末在办 = 期初在办 + 受理 − 办结.
    public var openEnd: Int { tally.openStart + accepted - completed }
    /// 期末超期未办结.
    public var overdueOpenEnd: Int { tally.overdueOpenEnd }
    /// 办结率 = 本期办结 / (期初在办 + 本期受理): never above 100 %.
    public var completionRate: Ratio { Ratio(completed, openStart + accepted) }
    /// 按期办结率 = completed on or before the promised deadline / 办结; shown beside 期末超期未办结.
    public var onTimeRate: Ratio { Ratio(counters.completedOnTime, completed) }
    /// 网办件占比 = accepted online (网上/掌上/自助) / 办件量.
    public var onlineShare: Ratio { Ratio(counters.acceptedOnline, accepted) }
    /// 平均跑动次数 = Σ visits / 办结.
    public var averageVisits: Ratio { Ratio(counters.visits, completed) }
    /// 帮办代办件: cases given 帮办 or 代办 (or marked assisted).
    public var assisted: Int { counters.assisted }
    /// Cases served in `mode` (帮办, 代办, 上门, 预约, 延时, 邮寄).
    public func served(_ mode: ServiceMode) -> Int { counters[mode] }
    /// 咨询服务: consultations that were no case.
    public var consultations: Int { counters.consultations }
    /// 帮办代办服务 (次) = 帮办 + 代办 + 上门 + 咨询, as the seeds itemise it.
    public var assistanceServices: Int { counters.assistanceServices }
    /// 当场办结: completed on the day of acceptance.
    public var immediate: Int { counters.completedImmediate }

    /// The follow-up of the period's 差评.
    public var reviews: ReviewTally { tally.reviews }
    /// 评价数, less 差评 taken out by an upheld appeal.
    public var evaluations: Int { counters.evaluations - reviews.upheld }
    /// 差评 (不满意 + 非常不满意), less those taken out by an upheld appeal.
    public var badReviews: Int { reviews.bad }
    /// 满意率 = (评价数 − 差评) / 评价数.
    public var satisfactionRate: Ratio { Ratio(evaluations - badReviews, evaluations) }
    /// 差评整改率 = rectified by the period's end / 差评.
    public var rectificationRate: Ratio { Ratio(reviews.rectified, reviews.fromGradesOnly ? 0 : reviews.bad) }
    /// 整改及时率 = rectified within the limit / 差评 whose limit had passed or that were rectified.
    public var rectifiedInTimeRate: Ratio { Ratio(reviews.rectifiedInTime, reviews.rectifyDue) }
    /// 差评回访率 = revisited / 差评.
    public var revisitRate: Ratio { Ratio(reviews.revisited, reviews.fromGradesOnly ? 0 : reviews.bad) }
    /// 实名差评回访率 = revisited 实名差评 / 实名差评 (the duty is 100 %).
    public var namedRevisitRate: Ratio { Ratio(reviews.namedRevisited, reviews.named) }
    /// 回访满意率 = 回访 graded 基本满意 or better / 回访 with a grade.
    public var revisitSatisfactionRate: Ratio { Ratio(reviews.revisitSatisfied, reviews.revisitGraded) }

    /// Evaluations per grade as given (appealed ones included).
    public var grades: [(Grade, Int)] { Grade.allCases.map { ($0, counters[$0]) } }
}

/// Which items the catalogue figures count (a county setting, carried with the catalogue).
public enum CatalogScope: String, CaseIterable, Sendable {
    /// 依申请 items and 公共服务: what applicants can ask for (the default, as the seeds report).
    case onApplication = "on-application"
    /// Every active item, 依职权 ones (处罚, 强制, 征收, 检查) included.
    case all
}

/// The catalogue figures of one level, over the active items in scope that level handles.
public struct CatalogFigures: Hashable, Sendable {
    /// The level (行使层级) whose items are counted.
    public let level: Level
    /// 事项数: active items in scope that the level handles.
    public let items: Int
    /// 网上可办率: 网办深度 at or above the setting (Ⅱ by default).
    public let onlineRate: Ratio
    /// 全程网办率: 网办深度 Ⅳ.
    public let fullOnlineRate: Ratio
    /// 即办件占比: 承诺时限 0.
    public let immediateShare: Ratio
    /// 最多跑一次占比: 到现场次数 ≤ 1.
    public let maxOneVisitShare: Ratio
    /// 零跑动占比: 到现场次数 = 0.
    public let zeroVisitShare: Ratio
    /// 承诺时限压缩比 = (Σ法定 − Σ承诺) / Σ法定 over items that have a 法定时限 (a ratio of sums).
    public let timeCompressionRatio: Ratio

    /// Computes the figures of `level` from the catalogue as this node holds it now.
    public init(level: Level, catalog: Catalog) {
        let items = catalog.items.values.filter { $0.isActive && $0.handled(at: level) && catalog.scope.includes($0.type) }
        let n = items.count
        func count(_ p: (CatalogItem) -> Bool) -> Ratio { Ratio(items.filter(p).count, n) }
        self.level = level
        self.items = n
        onlineRate = count { $0.onlineDepth >= catalog.onlineMinDepth }
        fullOnlineRate = count { $0.onlineDepth >= 4 }
        immediateShare = count { $0.promisedDays == 0 }
        maxOneVisitShare = count { $0.maxVisits <= 1 }
        zeroVisitShare = count { $0.maxVisits == 0 }
        let withLegal = items.filter { $0.legalDays != nil }
        let legal = withLegal.reduce(0) { $0 + $1.legalDays! }
        let promised = withLegal.reduce(0) { $0 + $1.promisedDays }
        timeCompressionRatio = Ratio(legal - promised, legal)
    }
}

extension CatalogScope {
    /// Whether items of `type` are counted in this scope.
    public func includes(_ type: ItemType) -> Bool { self == .all || type.isOfferedToApplicants }
}
