/// 窗口工作月度通报: a month's figures per level, township and department, ranks, month-on-month
/// change, 差评 and their 整改/回访, overdue cases and stale nodes. Markdown, HTML (one
/// self-contained file, inline CSS and SVG, prints on A4) or CSV.
public struct MonthlyReport: Sendable {
    public let year: Int
    public let month: Int
    public let current: DashboardReport      // with breakdown by township
    public let departments: [BreakdownRow]
    public let previous: DashboardReport

    public init(year: Int, month: Int, current: DashboardReport, departments: [BreakdownRow], previous: DashboardReport) {
        self.year = year
        self.month = month
        self.current = current
        self.departments = departments
        self.previous = previous
    }

    var title: String { "\(current.node.name)窗口工作月度通报（\(year)年\(month)月）" }
    var townships: [BreakdownRow] { (current.breakdown?.rows ?? []).filter { $0.level == .township && $0.depth == 0 } }

    /// Ranks (1 = best) of the townships by a figure; equal values share a rank.
    func ranks(_ value: (BreakdownRow) -> Double?) -> [String: Int] {
        let scored = townships.map { ($0.key, value($0) ?? -1) }.sorted { $0.1 > $1.1 }
        var out: [String: Int] = [:]
        for (i, (key, v)) in scored.enumerated() { out[key] = i > 0 && scored[i - 1].1 == v ? out[scored[i - 1].0]! : i + 1 }
        return out
    }

    /// Month-on-month change of a rate, in percentage points, cut to 0.01.
    static func change(_ now: Ratio, _ before: Ratio) -> String {
        guard let a = now.value, let b = before.value else { return "—" }
        let points = (a - b) * 100
        let cut = Double(Int(points * 100)) / 100
        return (cut >= 0 ? "+" : "") + String(format: "%.2f", cut) + "pp"
    }

    static func changeCount(_ now: Int, _ before: Int) -> String {
        guard before > 0 else { return "—" }
        let pct = Ratio(now - before, before)
        return (now >= before ? "+" : "") + pct.percentText
    }

    struct Line {
        let label: String, value: String, change: String
    }

    var overview: [Line] {
        let f = current.total.figures, p = previous.total.figures
        let n = NumberText.thousands
        return [
            Line(label: "办件量", value: n(f.accepted), change: Self.changeCount(f.accepted, p.accepted)),
            Line(label: "办结", value: n(f.completed), change: Self.changeCount(f.completed, p.completed)),
            Line(label: "办结率", value: f.completionRate.percentText, change: Self.change(f.completionRate, p.completionRate)),
            Line(label: "按期办结率", value: f.onTimeRate.percentText, change: Self.change(f.onTimeRate, p.onTimeRate)),
            Line(label: "网办件占比", value: f.onlineShare.percentText, change: Self.change(f.onlineShare, p.onlineShare)),
            Line(label: "评价数", value: n(f.evaluations), change: Self.changeCount(f.evaluations, p.evaluations)),
            Line(label: "满意率", value: f.satisfactionRate.percentText, change: Self.change(f.satisfactionRate, p.satisfactionRate)),
            Line(label: "差评", value: n(f.badReviews), change: Self.changeCount(f.badReviews, p.badReviews)),
            Line(label: "差评整改率", value: f.rectificationRate.percentText, change: Self.change(f.rectificationRate, p.rectificationRate)),
            Line(label: "差评回访率", value: f.revisitRate.percentText, change: Self.change(f.revisitRate, p.revisitRate)),
        ]
    }

    // MARK: Markdown

    public func markdown(zone: ZoneRule) -> String {
        var o: [String] = ["# \(title)", "", "统计期 \(current.period.from) 至 \(current.period.to)，截至 \(zone.format(current.asOf))。"
            + "报送 \(current.total.nodesReporting)/\(current.total.nodes) 个节点。", ""]
        o += ["## 一、总体情况", "", "| 指标 | 本月 | 环比 |", "| --- | ---: | ---: |"]
        o += overview.map { "| \($0.label) | \($0.value) | \($0.change) |" }
        o += ["", "## 二、分层级情况", "", "| 层级 | 节点 | 报送 | 办件量 | 办结率 | 按期办结率 | 网办件占比 | 满意率 | 差评 |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for s in current.levels + [current.total] {
            let f = s.figures
            o.append("| \(s.level?.chineseLabel ?? "合计") | \(s.nodes) | \(s.nodesReporting) | \(NumberText.thousands(f.accepted)) | \(f.completionRate.percentText) | \(f.onTimeRate.percentText) | \(f.onlineShare.percentText) | \(f.satisfactionRate.percentText) | \(f.badReviews) |")
        }
        let r1 = ranks { Double($0.figures.accepted) }, r2 = ranks { $0.figures.onTimeRate.value }, r3 = ranks { $0.figures.satisfactionRate.value }
        o += ["", "## 三、乡镇排名（含所辖村社区）", "", "| 乡镇 | 办件量 | 排名 | 按期办结率 | 排名 | 满意率 | 排名 |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for t in townships {
            o.append("| \(t.name) | \(NumberText.thousands(t.figures.accepted)) | \(r1[t.key]!) | \(t.figures.onTimeRate.percentText) | \(r2[t.key]!) | \(t.figures.satisfactionRate.percentText) | \(r3[t.key]!) |")
        }
        o += ["", "## 四、部门情况", "", "| 部门 | 办件量 | 办结率 | 按期办结率 | 满意率 | 差评 |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for d in departments {
            o.append("| \(d.name) | \(NumberText.thousands(d.figures.accepted)) | \(d.figures.completionRate.percentText) | \(d.figures.onTimeRate.percentText) | \(d.figures.satisfactionRate.percentText) | \(d.figures.badReviews) |")
        }
        let f = current.total.figures
        o += ["", "## 五、差评整改", "", "本月差评 \(f.badReviews) 件，已整改 \(f.badRectified) 件（\(f.rectificationRate.percentText)），已回访 \(f.badRevisited) 件（\(f.revisitRate.percentText)）。"]
        if current.attention.unrectified.isEmpty { o.append("无超期未整改差评。") } else {
            o += ["", "超期未整改：", ""] + current.attention.unrectified.map { "- \($0.name)（\($0.node)）\($0.count) 件，最早 \($0.oldestDay)" }
        }
        o += ["", "## 六、超期未办结", ""]
        o += current.attention.overdue.isEmpty ? ["无。"] : current.attention.overdue.map { "- \($0.name)（\($0.id)）超期 \($0.overdueCases) 件，在办 \($0.openCases) 件" }
        o += ["", "## 七、未报送节点", ""]
        o += current.attention.stale.isEmpty ? ["全部节点均已报送。"] : current.attention.stale.map {
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
        add("meta", "", "nodes", String(current.total.nodes))
        add("meta", "", "nodes_reporting", String(current.total.nodesReporting))
        func figures(_ section: String, _ key: String, _ f: CaseFigures) {
            add(section, key, "accepted", String(f.accepted)); add(section, key, "completed", String(f.completed))
            add(section, key, "completion_rate", ratio(f.completionRate)); add(section, key, "on_time_rate", ratio(f.onTimeRate))
            add(section, key, "online_share", ratio(f.onlineShare)); add(section, key, "evaluations", String(f.evaluations))
            add(section, key, "satisfaction_rate", ratio(f.satisfactionRate)); add(section, key, "bad_reviews", String(f.badReviews))
            add(section, key, "bad_rectified", String(f.badRectified)); add(section, key, "bad_revisited", String(f.badRevisited))
        }
        figures("total", "", current.total.figures)
        figures("previous_month", "", previous.total.figures)
        for s in current.levels { figures("level", s.level!.rawValue, s.figures) }
        let r1 = ranks { Double($0.figures.accepted) }, r2 = ranks { $0.figures.onTimeRate.value }, r3 = ranks { $0.figures.satisfactionRate.value }
        for t in townships {
            figures("township", t.key, t.figures)
            add("township", t.key, "rank_accepted", String(r1[t.key]!)); add("township", t.key, "rank_on_time", String(r2[t.key]!))
            add("township", t.key, "rank_satisfaction", String(r3[t.key]!))
        }
        for r in current.breakdown?.rows ?? [] where r.level != .township { figures("node", r.key, r.figures) }
        for d in departments { figures("department", d.key, d.figures) }
        for u in current.attention.unrectified { add("unrectified_bad_reviews", u.node, "count", String(u.count)) }
        for n in current.attention.overdue { add("overdue_open_cases", n.id, "overdue", String(n.overdueCases)) }
        for n in current.attention.stale { add("stale", n.id, "last_seen", n.lastSeen.map(String.init) ?? "") }
        return lines.joined(separator: "\n") + "\n"
    }
}
