/// 窗口工作月度通报: a month's figures per level, township and department, ranks, month-on-month
/// change, 差评 and their 整改/回访, overdue cases and stale nodes, all as at the month's end (or
/// today while it runs). Markdown, HTML (one self-contained file, inline CSS and SVG, prints on
/// A4) or CSV.
public struct MonthlyReport: Sendable {
    public let year: Int
    public let month: Int
    public let current: DashboardReport      // with breakdown by township
    public let departments: [BreakdownRow]
    public let previous: DashboardReport
    /// The exceptions behind the month's figures, as at its end.
    public let exceptions: ExceptionList

    public init(year: Int, month: Int, current: DashboardReport, departments: [BreakdownRow], previous: DashboardReport, exceptions: ExceptionList) {
        self.year = year
        self.month = month
        self.current = current
        self.departments = departments
        self.previous = previous
        self.exceptions = exceptions
    }

    var rounding: Rounding { current.rounding }
    var title: String { "\(current.node.name)窗口工作月度通报（\(year)年\(month)月）" }
    var townships: [BreakdownRow] { (current.breakdown?.rows ?? []).filter { $0.level == .township && $0.depth == 0 } }
    var names: [String: String] {
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
    var rankings: (accepted: [String: Int], onTime: [String: Int], satisfaction: [String: Int]) {
        (ranks { $0.figures.accepted },
         ranks { RankScore($0.figures.onTimeRate.value ?? -1, -$0.figures.overdueOpenEnd) },
         ranks { $0.figures.satisfactionRate.value ?? -1 })
    }

    /// Month-on-month change of a rate, in percentage points (rounded as the county rounds).
    static func change(_ now: Ratio, _ before: Ratio, rounding: Rounding) -> String {
        guard now.denominator != 0, before.denominator != 0 else { return "—" }
        // In integer arithmetic over a common denominator, so that the points are exact.
        let points = Ratio(now.numerator * before.denominator - before.numerator * now.denominator, now.denominator * before.denominator)
        let text = points.percentText(rounding).dropLast()
        return (text.hasPrefix("-") ? "" : "+") + text + "pp"
    }

    static func changeCount(_ now: Int, _ before: Int, rounding: Rounding) -> String {
        guard before > 0 else { return "—" }
        let pct = Ratio(now - before, before)
        return (now >= before ? "+" : "") + pct.percentText(rounding)
    }

    struct Line {
        let label: String, value: String, change: String
    }

    var overview: [Line] {
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
    static func chineseDate(_ d: Day) -> String {
        let (y, m, dd) = d.components
        return "\(y) 年 \(m) 月 \(dd) 日"
    }

    // MARK: Markdown

    public func markdown(zone: ZoneRule) -> String {
        let rd = rounding
        let a = current.asAt
        let standing = a.ended ? "数据截至期末（\(Self.chineseDate(a.lastDay))）" : "本月尚未结束，数据截至 \(Self.chineseDate(a.lastDay))"
        var o: [String] = ["# \(title)", "", "统计期 \(Self.chineseDate(current.period.from)) 至 \(Self.chineseDate(current.period.to))，\(standing)。"
            + "报送 \(current.total.nodesReporting)/\(current.total.nodes) 个站点。", ""]
        o += ["## 一、总体情况", "", "| 指标 | 本月 | 环比 |", "| --- | ---: | ---: |"]
        o += overview.map { "| \($0.label) | \($0.value) | \($0.change) |" }
        o += ["", "## 二、分层级情况", "", "| 层级 | 站点 | 报送 | 办件量 | 办结率 | 按期办结率 | 期末超期未办结 | 网办件占比 | 满意率 | 差评 |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for s in current.levels + [current.total] {
            let f = s.figures
            o.append("| \(s.level?.chineseLabel ?? "合计") | \(s.nodes) | \(s.nodesReporting) | \(NumberText.thousands(f.accepted)) | \(f.completionRate.percentText(rd)) | \(f.onTimeRate.percentText(rd)) | \(f.overdueOpenEnd) | \(f.onlineShare.percentText(rd)) | \(f.satisfactionRate.percentText(rd)) | \(f.badReviews) |")
        }
        let (r1, r2, r3) = rankings
        o += ["", "## 三、乡镇排名（含所辖村（社区））", "", "| 乡镇 | 办件量 | 排名 | 按期办结率 | 期末超期未办结 | 排名 | 满意率 | 排名 |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for t in townships {
            o.append("| \(t.name) | \(NumberText.thousands(t.figures.accepted)) | \(r1[t.key]!) | \(t.figures.onTimeRate.percentText(rd)) | \(t.figures.overdueOpenEnd) | \(r2[t.key]!) | \(t.figures.satisfactionRate.percentText(rd)) | \(r3[t.key]!) |")
        }
        o += ["", "## 四、部门情况", "", "| 部门 | 办件量 | 办结率 | 按期办结率 | 期末超期未办结 | 满意率 | 差评 |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for d in departments {
            o.append("| \(d.name) | \(NumberText.thousands(d.figures.accepted)) | \(d.figures.completionRate.percentText(rd)) | \(d.figures.onTimeRate.percentText(rd)) | \(d.figures.overdueOpenEnd) | \(d.figures.satisfactionRate.percentText(rd)) | \(d.figures.badReviews) |")
        }
        let f = current.total.figures, r = f.reviews
        o += ["", "## 五、差评整改", "",
              "本月差评 \(f.badReviews) 件（实名 \(r.named) 件），截至月末已整改 \(r.rectified) 件（\(f.rectificationRate.percentText(rd))），"
              + "按时整改率 \(f.rectifiedInTimeRate.percentText(rd))；已回访 \(r.revisited) 件（\(f.revisitRate.percentText(rd))），实名差评回访率 \(f.namedRevisitRate.percentText(rd))，"
              + "回访满意率 \(f.revisitSatisfactionRate.percentText(rd))。" + (r.upheld > 0 ? "经申诉复核认定不计入的差评 \(r.upheld) 件。" : "")]
        let overdueReviews = exceptions.unrectifiedOverdue
        if overdueReviews.isEmpty { o.append("截至月末无超期未整改差评。") } else {
            o += ["", "截至月末超期未整改：", ""] + overdueReviews.map {
                "- \(names[$0.record.origin] ?? $0.record.origin)（\($0.record.origin)）评价 \($0.record.evalId)，\($0.record.day) \($0.record.grade.rawValue)，整改时限 \($0.rectifyDue)" + ($0.record.named ? "，实名" : "")
            }
        }
        o += ["", "## 六、超期未办结", ""]
        let overdueNodes = (current.breakdown?.rows ?? []).filter { $0.depth > 0 || $0.level != .township }.filter { $0.figures.overdueOpenEnd > 0 }
        if overdueNodes.isEmpty { o.append("截至月末无超期未办结办件。") } else {
            o += overdueNodes.map { "- \($0.name)（\($0.key)）期末超期未办结 \($0.figures.overdueOpenEnd) 件，期末在办 \($0.figures.openEnd) 件" }
            let listed = exceptions.openOverdue
            if !listed.isEmpty {
                o += ["", "| 站点 | 办件编号 | 部门 | 受理日 | 承诺办结日 | 超期工作日 |", "| --- | --- | --- | --- | --- | ---: |"]
                o += listed.map { "| \(names[$0.record.origin] ?? $0.record.origin) | \($0.record.caseNo) | \($0.record.department) | \($0.record.acceptedDay) | \($0.record.deadline) | \($0.daysOverdue) |" }
            }
        }
        o += ["", "## 七、未报送站点", ""]
        o += current.attention.stale.isEmpty ? ["全部站点均已报送。"] : current.attention.stale.map {
            "- \($0.name)（\($0.id)）最后报送 \($0.lastSeen.map { zone.format(Timestamp(seconds: $0)) } ?? "从未报送")"
        }
        return o.joined(separator: "\n") + "\n"
    }

    // MARK: CSV (tidy)

    public func csv() -> String {
        var lines = ["section,key,metric,value"]
        func add(_ section: String, _ key: String, _ metric: String, _ value: String) { lines.append(CSVWriter.line([section, key, metric, value])) }
        func ratio(_ r: Ratio) -> String { r.value.map { "\($0)" } ?? "" }
        add("meta", "", "from", current.period.from.description)
        add("meta", "", "to", current.period.to.description)
        add("meta", "", "as_at", current.asAt.lastDay.description)
        add("meta", "", "nodes", String(current.total.nodes))
        add("meta", "", "nodes_reporting", String(current.total.nodesReporting))
        func figures(_ section: String, _ key: String, _ f: PeriodFigures) {
            let r = f.reviews
            for (metric, v) in [("open_start", f.openStart), ("accepted", f.accepted), ("completed", f.completed), ("open_end", f.openEnd),
                                ("overdue_open_end", f.overdueOpenEnd), ("evaluations", f.evaluations), ("bad_reviews", f.badReviews),
                                ("bad_named", r.named), ("bad_rectified", r.rectified), ("bad_rectified_in_time", r.rectifiedInTime),
                                ("bad_revisited", r.revisited), ("bad_named_revisited", r.namedRevisited), ("appeals_upheld", r.upheld)] {
                add(section, key, metric, String(v))
            }
            for (metric, v) in [("completion_rate", f.completionRate), ("on_time_rate", f.onTimeRate), ("online_share", f.onlineShare),
                                ("satisfaction_rate", f.satisfactionRate), ("rectification_rate", f.rectificationRate),
                                ("rectified_in_time_rate", f.rectifiedInTimeRate), ("revisit_rate", f.revisitRate),
                                ("named_revisit_rate", f.namedRevisitRate), ("revisit_satisfaction_rate", f.revisitSatisfactionRate)] {
                add(section, key, metric, ratio(v))
            }
        }
        figures("total", "", current.total.figures)
        figures("previous_month", "", previous.total.figures)
        for s in current.levels { figures("level", s.level!.rawValue, s.figures) }
        let (r1, r2, r3) = rankings
        for t in townships {
            figures("township", t.key, t.figures)
            add("township", t.key, "rank_accepted", String(r1[t.key]!)); add("township", t.key, "rank_on_time", String(r2[t.key]!))
            add("township", t.key, "rank_satisfaction", String(r3[t.key]!))
        }
        for r in current.breakdown?.rows ?? [] where r.level != .township { figures("node", r.key, r.figures) }
        for d in departments { figures("department", d.key, d.figures) }
        for r in exceptions.unrectifiedOverdue { add("unrectified_bad_review", r.record.origin, r.record.evalId, r.rectifyDue.description) }
        for c in exceptions.openOverdue { add("overdue_open_case", c.record.origin, c.record.caseNo, String(c.daysOverdue)) }
        for n in current.attention.stale { add("stale", n.id, "last_seen", n.lastSeen.map(String.init) ?? "") }
        return lines.joined(separator: "\n") + "\n"
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
