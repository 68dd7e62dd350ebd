/// 窗口工作月度通报: a month's figures beside 环比, 同比 and 本年累计; the service modes; rankings
/// by 综合得分 of townships, stations, departments and windows, with 红旗窗口 and the windows that
/// need attention; yearly targets against 时间进度; 差评, overdue cases and stations not reporting;
/// all as at the month's end (or today while it runs). The content is built here once, as
/// sections of paragraphs, tables and lists; SanjiReport renders it through the county's template
/// as Markdown, HTML (A4) or PDF, and every figure also as CSV.
public struct MonthlyReport: Sendable {
    /// The dashboards the 通报 compares.
    public struct Periods: Sendable {
        /// The month (with the breakdown by township).
        public var current: DashboardReport
        /// The month before, over the same days while the month runs (环比).
        public var previous: DashboardReport
        /// The same month a year before, over the same days while the month runs (同比).
        public var lastYear: DashboardReport
        /// 1 January to the month's end (本年累计), with the breakdown by station (for targets).
        public var yearToDate: DashboardReport
        /// The same days a year before (本年累计同比).
        public var lastYearToDate: DashboardReport

        /// The five dashboards.
        public init(current: DashboardReport, previous: DashboardReport, lastYear: DashboardReport, yearToDate: DashboardReport,
                    lastYearToDate: DashboardReport) {
            self.current = current
            self.previous = previous
            self.lastYear = lastYear
            self.yearToDate = yearToDate
            self.lastYearToDate = lastYearToDate
        }
    }

    /// The month's figures broken down.
    public struct Breakdowns: Sendable {
        /// Every station on its own.
        public var stations: [BreakdownRow]
        /// Every 实施部门.
        public var departments: [BreakdownRow]
        /// Every window of every station (`origin/window`).
        public var windows: [BreakdownRow]
        /// Every staff member whose figures are here (a station's own; others' only if the county lets them travel).
        public var staff: [BreakdownRow]

        /// The breakdowns.
        public init(stations: [BreakdownRow], departments: [BreakdownRow], windows: [BreakdownRow] = [], staff: [BreakdownRow] = []) {
            self.stations = stations
            self.departments = departments
            self.windows = windows
            self.staff = staff
        }
    }

    /// Who issues the 通报, under which 文号, on which day.
    public struct Document: Sendable {
        /// 发文单位 (default: the node's name).
        public var issuer: String
        /// 文号, e.g. 怀政务〔2026〕45号; empty for none.
        public var number: String
        /// The 成文日期 printed under the issuer.
        public var date: Day

        /// A document header.
        public init(issuer: String, number: String = "", date: Day) {
            self.issuer = issuer
            self.number = number
            self.date = date
        }
    }

    /// The 通报's year.
    public let year: Int
    /// The 通报's month, 1 to 12.
    public let month: Int
    /// The periods compared.
    public let periods: Periods
    /// The month's breakdowns.
    public let breakdowns: Breakdowns
    /// The exceptions behind the month's figures, as at its end.
    public let exceptions: ExceptionList
    /// The yearly targets, as at the month's end.
    public let targets: [TargetProgress]
    /// The county's 综合得分 weights.
    public let weights: ScoreWeights
    /// How many 红旗窗口 (and at most how many windows 需关注 by score).
    public let honorWindows: Int
    /// The header and date line.
    public var document: Document

    /// A 通报 from figures already computed.
    public init(year: Int, month: Int, periods: Periods, breakdowns: Breakdowns, exceptions: ExceptionList, targets: [TargetProgress] = [],
                weights: ScoreWeights = .default, honorWindows: Int = 3, document: Document? = nil) {
        self.year = year
        self.month = month
        self.periods = periods
        self.breakdowns = breakdowns
        self.exceptions = exceptions
        self.targets = targets
        self.weights = weights
        self.honorWindows = honorWindows
        self.document = document ?? Document(issuer: periods.current.node.name, date: periods.current.asAt.lastDay)
    }

    /// The month's dashboard.
    public var current: DashboardReport { periods.current }
    /// How percentages print (the root's setting).
    public var rounding: Rounding { current.rounding }
    /// The 通报's title.
    public var title: String { "\(current.node.name)窗口工作月度通报（\(year)年\(month)月）" }
    /// The townships' rows of the breakdown (each with its villages rolled up).
    public var townships: [BreakdownRow] { (current.breakdown?.rows ?? []).filter { $0.level == .township && $0.depth == 0 } }
    /// Every node's name, by id.
    public var names: [String: String] {
        Dictionary(((current.breakdown?.rows ?? []) + breakdowns.stations).map { ($0.key, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Rankings

    static func units(_ rows: [BreakdownRow]) -> [(key: String, name: String, figures: PeriodFigures)] { rows.map { ($0.key, $0.name, $0.figures) } }

    /// The townships (with their villages) by 综合得分.
    public var townshipRanking: [RankedUnit] { Ranking.rank(Self.units(townships), weights: weights) }
    /// Every station on its own by 综合得分.
    public var stationRanking: [RankedUnit] { Ranking.rank(Self.units(breakdowns.stations), weights: weights) }
    /// The departments by 综合得分.
    public var departmentRanking: [RankedUnit] { Ranking.rank(Self.units(breakdowns.departments), weights: weights) }
    /// The windows by 综合得分.
    public var windowRanking: [RankedUnit] { Ranking.rank(Self.units(breakdowns.windows), weights: weights) }
    /// The staff members by 综合得分 (their 差评's follow-up is not known: 整改 leaves their score).
    public var staffRanking: [RankedUnit] { Ranking.rank(Self.units(breakdowns.staff), weights: weights) }

    /// 红旗窗口: the best `honorWindows` windows by 综合得分 (more when ties reach past the last place),
    /// none of which left a case open past its deadline or a 实名差评 unrectified past its limit.
    public var honorRoll: [RankedUnit] {
        let flagged = Set(attentionWindows.filter { !$0.reasons.isEmpty && $0.reasons != ["综合得分靠后"] }.map(\.unit.key))
        let ranked = windowRanking.filter { $0.rank != nil && !flagged.contains($0.key) }
        guard let cut = ranked.prefix(honorWindows).last?.rank else { return [] }
        return ranked.filter { $0.rank! <= cut }
    }

    /// A window that needs attention, and why.
    public struct AttentionWindow: Sendable {
        /// The window's ranking entry.
        public var unit: RankedUnit
        /// 综合得分靠后, 期末超期未办结 n 件, 实名差评超期未整改 n 件.
        public var reasons: [String]
    }

    /// Windows that need attention: the last `honorWindows` by 综合得分, and every window with a case
    /// open past its deadline or a 实名差评 past its 整改 limit unrectified, as at the month's end.
    public var attentionWindows: [AttentionWindow] {
        let ranked = windowRanking.filter { $0.rank != nil }
        let bottom = ranked.count > honorWindows ? Set(ranked.suffix(honorWindows).map(\.key)) : []
        var unrectifiedNamed: [String: Int] = [:]
        for r in exceptions.unrectifiedOverdue where r.record.named && !r.record.window.isEmpty {
            unrectifiedNamed[r.record.origin + "/" + r.record.window, default: 0] += 1
        }
        var out: [AttentionWindow] = []
        for u in windowRanking {
            var reasons: [String] = []
            if bottom.contains(u.key) { reasons.append("综合得分靠后") }
            if u.figures.overdueOpenEnd > 0 { reasons.append("期末超期未办结 \(u.figures.overdueOpenEnd) 件") }
            if let n = unrectifiedNamed[u.key] { reasons.append("实名差评超期未整改 \(n) 件") }
            if !reasons.isEmpty { out.append(AttentionWindow(unit: u, reasons: reasons)) }
        }
        return out
    }

    // MARK: Changes, in the words of a 通报

    /// The change of a rate in percentage points: `上升 0.23 个百分点`, `下降 …`, `持平`, or `—` when
    /// either rate is undefined. Exact (integer arithmetic), rounded as the county rounds.
    public static func pointsChange(_ now: Ratio, _ before: Ratio, rounding: Rounding) -> String {
        guard now.denominator != 0, before.denominator != 0 else { return "—" }
        let points = Ratio(now.numerator * before.denominator - before.numerator * now.denominator, now.denominator * before.denominator)
        let text = String(points.percentText(rounding).dropLast())
        let magnitude = text.hasPrefix("-") ? String(text.dropFirst()) : text
        if magnitude == "0.00" { return "持平" }
        return (text.hasPrefix("-") ? "下降 " : "上升 ") + magnitude + " 个百分点"
    }

    /// The change of a count in per cent of the earlier one: `增长 12.50%`, `下降 3.20%`, `持平`, or
    /// `—` when there was nothing to compare with.
    public static func countChange(_ now: Int, _ before: Int, rounding: Rounding) -> String {
        guard before > 0 else { return "—" }
        if now == before { return "持平" }
        let pct = Ratio(abs(now - before), before).percentText(rounding)
        return (now > before ? "增长 " : "下降 ") + pct
    }

    /// One line of the overview: a figure this month, beside 环比 and 同比, and 本年累计 with its 同比.
    public struct Line: Sendable {
        /// The figure's name.
        public let label: String
        /// Its value this month, as printed.
        public let value: String
        /// 环比, 同比.
        public let monthOnMonth: String, yearOnYear: String
        /// 本年累计 and its 同比; `—` for a state at the month's end (在办, 超期未办结), which has no sum.
        public let yearToDate: String, yearToDateChange: String
    }

    /// The overview's lines, in the order the 通报 prints them.
    public var overview: [Line] {
        let p = periods
        let (f, m, y, t, ty) = (p.current.total.figures, p.previous.total.figures, p.lastYear.total.figures, p.yearToDate.total.figures,
                                p.lastYearToDate.total.figures)
        let n = NumberText.thousands, rd = rounding
        func rate(_ label: String, _ r: (PeriodFigures) -> Ratio) -> Line {
            Line(label: label, value: r(f).percentText(rd), monthOnMonth: Self.pointsChange(r(f), r(m), rounding: rd),
                 yearOnYear: Self.pointsChange(r(f), r(y), rounding: rd), yearToDate: r(t).percentText(rd),
                 yearToDateChange: Self.pointsChange(r(t), r(ty), rounding: rd))
        }
        func count(_ label: String, sums: Bool = true, _ c: (PeriodFigures) -> Int) -> Line {
            Line(label: label, value: n(c(f)), monthOnMonth: Self.countChange(c(f), c(m), rounding: rd),
                 yearOnYear: Self.countChange(c(f), c(y), rounding: rd), yearToDate: sums ? n(c(t)) : "—",
                 yearToDateChange: sums ? Self.countChange(c(t), c(ty), rounding: rd) : "—")
        }
        return [
            count("期初在办", sums: false) { $0.openStart }, count("办件量") { $0.accepted }, count("办结量") { $0.completed },
            rate("办结率") { $0.completionRate }, rate("按期办结率") { $0.onTimeRate },
            count("期末超期未办结", sums: false) { $0.overdueOpenEnd }, count("期末在办", sums: false) { $0.openEnd },
            rate("网办件占比") { $0.onlineShare }, count("帮办代办服务") { $0.assistanceServices }, count("评价数") { $0.evaluations },
            rate("满意率") { $0.satisfactionRate }, count("差评") { $0.badReviews }, rate("差评整改率") { $0.rectificationRate },
            rate("整改及时率") { $0.rectifiedInTimeRate }, rate("差评回访率") { $0.revisitRate }, rate("实名差评回访率") { $0.namedRevisitRate },
            rate("回访满意率") { $0.revisitSatisfactionRate }, count("申诉成立") { $0.reviews.upheld },
        ]
    }

    /// The service modes' lines (帮办 … 邮寄, 咨询, and 帮办代办服务 as their documented sum).
    public var modeLines: [Line] {
        let p = periods
        let rd = rounding
        func line(_ label: String, _ c: (PeriodFigures) -> Int) -> Line {
            let (f, m, y, t, ty) = (c(p.current.total.figures), c(p.previous.total.figures), c(p.lastYear.total.figures),
                                    c(p.yearToDate.total.figures), c(p.lastYearToDate.total.figures))
            return Line(label: label, value: NumberText.thousands(f), monthOnMonth: Self.countChange(f, m, rounding: rd),
                        yearOnYear: Self.countChange(f, y, rounding: rd), yearToDate: NumberText.thousands(t),
                        yearToDateChange: Self.countChange(t, ty, rounding: rd))
        }
        return ServiceMode.allCases.map { mode in line(mode.label + (mode == .mail ? "（政务专递）" : "")) { $0.served(mode) } }
            + [line("咨询") { $0.consultations }, line("帮办代办服务合计（帮办+代办+上门+咨询）") { $0.assistanceServices }]
    }

    /// `2026 年 11 月 25 日`.
    public static func chineseDate(_ d: Day) -> String {
        let (y, m, dd) = d.components
        return "\(y) 年 \(m) 月 \(dd) 日"
    }

    /// 一 … 二十: section numbers.
    public static func chineseNumeral(_ n: Int) -> String {
        let digits = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        if n < 10 { return digits[n] }
        if n < 20 { return "十" + digits[n - 10] }
        return digits[n / 10] + "十" + digits[n % 10]
    }
}
