import SanjiCore

/// The 通报 as Markdown and CSV.
extension MonthlyReport {
    // MARK: Markdown

    /// The 通报 in Markdown: overview, levels, township ranking, departments, 差评整改, 超期未办结 and
    /// 未报送站点, each as at the month's end.
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

    /// Tidy CSV (`section,key,metric,value`): every figure (total, last month, levels, townships, nodes, departments),
    /// the ranks and the lists.
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
