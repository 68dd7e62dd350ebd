/// The case and evaluation figures of DESIGN.md over a set of summary rows.
public struct CaseFigures: Hashable, Sendable {
    public let counters: SummaryCounters

    public init(_ counters: SummaryCounters) { self.counters = counters }

    /// 办件量: cases accepted in the period (by day of acceptance).
    public var accepted: Int { counters.accepted }
    /// 办结: cases completed in the period (by day of completion).
    public var completed: Int { counters.completed }
    /// 办结率 = 办结 / 办件量.
    public var completionRate: Ratio { Ratio(counters.completed, counters.accepted) }
    /// 按期办结率 = completed on or before the promised deadline / 办结.
    public var onTimeRate: Ratio { Ratio(counters.completedOnTime, counters.completed) }
    /// 网办件占比 = accepted online (网上/掌上/自助) / 办件量.
    public var onlineShare: Ratio { Ratio(counters.acceptedOnline, counters.accepted) }
    /// 平均跑动次数 = Σ visits / 办结.
    public var averageVisits: Ratio { Ratio(counters.visits, counters.completed) }
    /// 帮办代办.
    public var assisted: Int { counters.assisted }
    public var immediate: Int { counters.completedImmediate }
    public var evaluations: Int { counters.evaluations }
    /// 差评 = 不满意 + 非常不满意.
    public var badReviews: Int { counters.badReviews }
    public var badRectified: Int { counters.badRectified }
    public var badRevisited: Int { counters.badRevisited }
    /// 满意率 = (总数 − 差评) / 总数.
    public var satisfactionRate: Ratio { Ratio(evaluations - badReviews, evaluations) }
    /// 差评整改率 = rectified / 差评.
    public var rectificationRate: Ratio { Ratio(badRectified, badReviews) }
    /// 差评回访率 = revisited / 差评.
    public var revisitRate: Ratio { Ratio(badRevisited, badReviews) }

    public var grades: [(Grade, Int)] { Grade.allCases.map { ($0, counters[$0]) } }
}

/// The catalogue figures of one level, over the active items that level handles.
public struct CatalogFigures: Hashable, Sendable {
    public let level: Level
    public let items: Int
    /// 网上可办率: 网办深度 above Ⅰ.
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

    public init(level: Level, catalog: some Sequence<CatalogItem>) {
        let items = catalog.filter { $0.isActive && $0.handled(at: level) }
        let n = items.count
        func count(_ p: (CatalogItem) -> Bool) -> Ratio { Ratio(items.filter(p).count, n) }
        self.level = level
        self.items = n
        onlineRate = count { $0.onlineDepth > 1 }
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
