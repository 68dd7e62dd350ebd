/// A yearly target (年度目标) of 办件量 for a level, levels together, or one station.
public struct YearTarget: Sendable, Equatable {
    /// The year.
    public var year: Int
    /// `level:county`, `level:township+village`, `node:340321100`.
    public var scope: String
    /// 办件量 to reach in the year.
    public var accepted: Int

    /// The levels the scope covers, or nil for a node's.
    public var levels: [Level]? {
        guard scope.hasPrefix("level:") else { return nil }
        return scope.dropFirst(6).split(separator: "+").compactMap { Level(rawValue: String($0)) }
    }

    /// The node the scope names, or nil for levels.
    public var node: String? { scope.hasPrefix("node:") ? String(scope.dropFirst(5)) : nil }

    /// A target.
    public init(year: Int, scope: String, accepted: Int) {
        self.year = year
        self.scope = scope
        self.accepted = accepted
    }
}

/// How far a target stands: 本年累计办件量 against it, beside 时间进度 (the share of the year gone).
public struct TargetProgress: Sendable {
    /// The target.
    public let target: YearTarget
    /// What the scope is called in a 通报: 县级, 乡村两级, or the station's name.
    public let label: String
    /// 本年累计办件量 of the scope, as at `asAt`.
    public let done: Int
    /// The day the progress stands at; nil before the year began.
    public let asAt: Day?
    /// done ÷ target.
    public var share: Ratio { Ratio(done, target.accepted) }
    /// 时间进度: days of the year through `asAt` ÷ days in the year.
    public var timeShare: Ratio {
        guard let asAt, let first = Day(year: target.year, month: 1, day: 1), let next = Day(year: target.year + 1, month: 1, day: 1) else {
            return Ratio(0, 1)
        }
        return Ratio(asAt.number - first.number + 1, next.number - first.number)
    }
    /// Whether the scope keeps pace with the year (完成进度 at or above 时间进度).
    public var onPace: Bool { done * timeShare.denominator >= target.accepted * timeShare.numerator }

    /// The progress from the year-to-date dashboard (its breakdown by node, for a node's target);
    /// nil: the year has not begun.
    public init(_ target: YearTarget, yearToDate ytd: DashboardReport?) {
        self.target = target
        asAt = ytd?.asAt.lastDay
        if let levels = target.levels {
            label = levels == [.township, .village] ? "乡村两级" : levels.map { $0.chineseLabel }.joined(separator: "、")
            done = ytd?.levels.filter { levels.contains($0.level!) }.reduce(0) { $0 + $1.figures.accepted } ?? 0
        } else {
            let row = ytd?.breakdown?.rows.first { $0.key == target.node }
            label = row?.name ?? target.node ?? target.scope
            done = row?.figures.accepted ?? 0
        }
    }
}
