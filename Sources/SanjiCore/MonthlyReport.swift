/// 窗口工作月度通报: a month's figures per level, township and department, ranks, month-on-month
/// change, 差评 and their 整改/回访, overdue cases and stale nodes, all as at the month's end (or
/// today while it runs). Markdown, HTML (one self-contained file, inline CSS and SVG, prints on
/// A4) or CSV.
public struct MonthlyReport: Sendable {
    /// The 通报's year.
    public let year: Int
    /// The 通报's month, 1 to 12.
    public let month: Int
    /// This month's dashboard.
    public let current: DashboardReport      // with breakdown by township
    /// This month's figures per 实施部门.
    public let departments: [BreakdownRow]
    /// Last month's dashboard, for the 环比 column.
    public let previous: DashboardReport
    /// The exceptions behind the month's figures, as at its end.
    public let exceptions: ExceptionList

    /// A 通报 from figures already computed.
    public init(year: Int, month: Int, current: DashboardReport, departments: [BreakdownRow], previous: DashboardReport, exceptions: ExceptionList) {
        self.year = year
        self.month = month
        self.current = current
        self.departments = departments
        self.previous = previous
        self.exceptions = exceptions
    }

    /// How percentages print (the root's setting).
    public var rounding: Rounding { current.rounding }
    /// The 通报's title.
    public var title: String { "\(current.node.name)窗口工作月度通报（\(year)年\(month)月）" }
    /// The townships' rows of the breakdown (not their villages).
    public var townships: [BreakdownRow] { (current.breakdown?.rows ?? []).filter { $0.level == .township && $0.depth == 0 } }
    /// Every node's name in the breakdown, by id.
    public var names: [String: String] {
        Dictionary((current.breakdown?.rows ?? []).map { ($0.key, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// Ranks (1 = best) of the townships by a score that sorts descending; equal scores share a rank.
    func ranks<S: Comparable>(_ score: (BreakdownRow) -> S) -> [String: Int] {
        let scored = townships.map { ($0.key, score($0)) }.sorted { $0.1 > $1.1 }
        var out: [String: Int] = [:]
        for (i, (key, v)) in scored.enumerated() { out[key] = i > 0 && scored[i - 1].1 == v ? out[scored[i - 1].0]! : i + 1 }
        return out
    }

    /// The three rankings: by 办件量; by 按期办结率 with fewer 期末超期未办结 breaking ties (late
    /// cases left open must not hide behind a high rate); by 满意率.
    public var rankings: (accepted: [String: Int], onTime: [String: Int], satisfaction: [String: Int]) {
        (ranks { $0.figures.accepted },
         ranks { RankScore($0.figures.onTimeRate.value ?? -1, -$0.figures.overdueOpenEnd) },
         ranks { $0.figures.satisfactionRate.value ?? -1 })
    }

    /// Month-on-month change of a rate, in percentage points (rounded as the county rounds).
    public static func change(_ now: Ratio, _ before: Ratio, rounding: Rounding) -> String {
        guard now.denominator != 0, before.denominator != 0 else { return "—" }
        // In integer arithmetic over a common denominator, so that the points are exact.
        let points = Ratio(now.numerator * before.denominator - before.numerator * now.denominator, now.denominator * before.denominator)
        let text = points.percentText(rounding).dropLast()
        return (text.hasPrefix("-") ? "" : "+") + text + "pp"
    }

    /// Month-on-month change of a count, in per cent of last month's.
    public static func changeCount(_ now: Int, _ before: Int, rounding: Rounding) -> String {
        guard before > 0 else { return "—" }
        let pct = Ratio(now - before, before)
        return (now >= before ? "+" : "") + pct.percentText(rounding)
    }

    /// One line of the overview: a figure, its value this month and its change.
    public struct Line: Sendable {
        /// The figure's name, its value as printed and its 环比 (`—` when there is nothing to compare with).
        public let label: String, value: String, change: String
    }

    /// The overview's lines, in the order the 通报 prints them.
    public var overview: [Line] {
        let f = current.total.figures, p = previous.total.figures
        let n = NumberText.thousands, rd = rounding
        func rate(_ label: String, _ r: (PeriodFigures) -> Ratio) -> Line {
            Line(label: label, value: r(f).percentText(rd), change: Self.change(r(f), r(p), rounding: rd))
        }
        func count(_ label: String, _ c: (PeriodFigures) -> Int) -> Line {
            Line(label: label, value: n(c(f)), change: Self.changeCount(c(f), c(p), rounding: rd))
        }
        return [
            count("期初在办") { $0.openStart }, count("办件量") { $0.accepted }, count("办结量") { $0.completed },
            rate("办结率") { $0.completionRate }, rate("按期办结率") { $0.onTimeRate }, count("期末超期未办结") { $0.overdueOpenEnd },
            count("期末在办") { $0.openEnd }, rate("网办件占比") { $0.onlineShare }, count("评价数") { $0.evaluations },
            rate("满意率") { $0.satisfactionRate }, count("差评") { $0.badReviews }, rate("差评整改率") { $0.rectificationRate },
            rate("整改及时率") { $0.rectifiedInTimeRate }, rate("差评回访率") { $0.revisitRate }, rate("实名差评回访率") { $0.namedRevisitRate },
            rate("回访满意率") { $0.revisitSatisfactionRate }, count("申诉成立") { $0.reviews.upheld },
        ]
    }

    /// `2026 年 11 月 25 日`.
    public static func chineseDate(_ d: Day) -> String {
        let (y, m, dd) = d.components
        return "\(y) 年 \(m) 月 \(dd) 日"
    }
}

/// A score that ranks by a rate, then by a tie-breaker (both: higher is better).
struct RankScore: Comparable {
    let rate: Double
    let tieBreak: Int

    init(_ rate: Double, _ tieBreak: Int) {
        self.rate = rate
        self.tieBreak = tieBreak
    }

    static func < (a: RankScore, b: RankScore) -> Bool { (a.rate, a.tieBreak) < (b.rate, b.tieBreak) }
}
