/// One block of a 通报 section: what a renderer turns into Markdown or HTML.
public enum ReportBlock: Sendable {
    /// A paragraph of text.
    case paragraph(String)
    /// A table: header cells, then rows; columns after the first are figures (right-aligned).
    case table(header: [String], rows: [[String]])
    /// A list of items, one sentence each.
    case list([String])
    /// Horizontal bars, one per unit, labelled with the exact figure (HTML only).
    case chart(ReportChart)
}

/// Horizontal bars: a title, one bar per unit, the axis from `minValue` to `maxValue`.
public struct ReportChart: Sendable {
    /// What the chart shows.
    public var title: String
    /// Label, value and the value as printed.
    public var bars: [(label: String, value: Double, text: String)]
    /// The axis's ends.
    public var minValue: Double, maxValue: Double
    /// The bars' colour (CSS).
    public var color: String
}

/// A numbered section of the 通报: `一、总体情况` and its blocks.
public struct ReportSection: Sendable {
    /// The heading, numbered.
    public var heading: String
    /// Its paragraphs, tables, lists and charts.
    public var blocks: [ReportBlock]
}

extension MonthlyReport {
    /// `统计期 2026 年 11 月 1 日至 2026 年 11 月 30 日，数据截至期末（…）。报送 14/15 个站点。`
    public var periodLine: String {
        let a = current.asAt
        let standing = a.ended ? "数据截至期末（\(Self.chineseDate(a.lastDay))）" : "本月尚未结束，数据截至 \(Self.chineseDate(a.lastDay))"
        return "统计期 \(Self.chineseDate(current.period.from)) 至 \(Self.chineseDate(current.period.to))，\(standing)。"
            + "报送 \(current.total.nodesReporting)/\(current.total.nodes) 个站点。"
            + (a.ended ? "" : "环比、同比按上月、上年同期的相同天数计。")
    }

    /// The month's story in sentences: volumes and their change, the biggest change among townships,
    /// the best and worst units, targets against 时间进度, overdue cases and 差评 left unrectified.
    public var story: [String] {
        let rd = rounding
        let (f, m, y) = (current.total.figures, periods.previous.total.figures, periods.lastYear.total.figures)
        var out: [String] = []
        out.append("本月受理办件 \(NumberText.thousands(f.accepted)) 件，同比\(Self.countChange(f.accepted, y.accepted, rounding: rd).asPhrase)，"
            + "环比\(Self.countChange(f.accepted, m.accepted, rounding: rd).asPhrase)；办结 \(NumberText.thousands(f.completed)) 件，"
            + "办结率 \(f.completionRate.percentText(rd))，按期办结率 \(f.onTimeRate.percentText(rd))；满意率 \(f.satisfactionRate.percentText(rd))"
            + (Self.pointsChange(f.satisfactionRate, m.satisfactionRate, rounding: rd) == "—" ? "" : "，较上月\(Self.pointsChange(f.satisfactionRate, m.satisfactionRate, rounding: rd))")
            + "。")
        if f.assistanceServices > 0 {
            out.append("提供帮办代办服务 \(NumberText.thousands(f.assistanceServices)) 次（其中帮办 \(f.served(.help)) 件、代办 \(f.served(.proxy)) 件、"
                + "上门服务 \(f.served(.home)) 件、咨询 \(f.consultations) 次），预约服务 \(f.served(.appointment)) 件，延时服务 \(f.served(.extended)) 件，"
                + "免费邮寄 \(f.served(.mail)) 件。")
        }
        let previousByKey = Dictionary((periods.previous.breakdown?.rows ?? []).map { ($0.key, $0.figures.accepted) }, uniquingKeysWith: { a, _ in a })
        if let moved = townships.max(by: { abs($0.figures.accepted - (previousByKey[$0.key] ?? 0)) < abs($1.figures.accepted - (previousByKey[$1.key] ?? 0)) }),
           let before = previousByKey[moved.key], moved.figures.accepted != before {
            out.append("办件量变化最大的是\(moved.name)，\(NumberText.thousands(moved.figures.accepted)) 件，环比\(Self.countChange(moved.figures.accepted, before, rounding: rd).asPhrase)。")
        }
        let ranked = townshipRanking.filter { $0.rank != nil }
        if let best = ranked.first, let worst = ranked.last, ranked.count > 1 {
            let top = ranked.filter { $0.rank == best.rank }.map(\.name).joined(separator: "、")
            let bottom = ranked.filter { $0.rank == worst.rank }.map(\.name).joined(separator: "、")
            out.append("乡镇综合得分最高的是\(top)（\(best.scoreText) 分\(best.tied ? "，并列" : "")），最低的是\(bottom)（\(worst.scoreText) 分\(worst.tied ? "，并列" : "")）。")
        }
        let noData = townshipRanking.filter { $0.rank == nil }
        if !noData.isEmpty { out.append("\(noData.map(\.name).joined(separator: "、"))本月无办件和评价数据，不参与排名。") }
        if !honorRoll.isEmpty { out.append("红旗窗口：\(honorRoll.map(\.name).joined(separator: "、"))。") }
        for t in targets where t.asAt != nil {
            let gap = Self.pointsChange(t.share, t.timeShare, rounding: rd)
            out.append("\(t.label)年度办件目标 \(NumberText.thousands(t.target.accepted)) 件，已完成 \(NumberText.thousands(t.done)) 件（\(t.share.percentText(rd))），"
                + "时间进度 \(t.timeShare.percentText(rd))，\(t.onPace ? "快于" : "慢于")时间进度" + (gap == "持平" || gap == "—" ? "。" : "（\(gap.replacingPrefix)）。"))
        }
        let overdueNodes = breakdowns.stations.filter { $0.figures.overdueOpenEnd > 0 }.sorted { $0.figures.overdueOpenEnd > $1.figures.overdueOpenEnd }
        if f.overdueOpenEnd == 0 {
            out.append("截至月末无超期未办结办件。")
        } else {
            let top = overdueNodes.prefix(3).map { "\($0.name) \($0.figures.overdueOpenEnd) 件" }.joined(separator: "、")
            out.append("截至月末超期未办结 \(f.overdueOpenEnd) 件" + (top.isEmpty ? "" : "，主要在\(top)") + "。")
        }
        let unrectified = exceptions.unrectifiedOverdue
        let named = unrectified.filter(\.record.named).count
        out.append("本月差评 \(f.badReviews) 件，截至月末已整改 \(f.reviews.rectified) 件" + (unrectified.isEmpty ? "，无超期未整改差评。"
            : "；超期未整改 \(unrectified.count) 件" + (named > 0 ? "（其中实名 \(named) 件）" : "") + "，须立即整改并回访。"))
        return out
    }

    /// The body of the 通报, numbered; the template puts the header, the opening and the closing
    /// 工作要求 around it. `zone` dates the stations' last reports.
    public func sections(zone: ZoneRule) -> [ReportSection] {
        let rd = rounding
        var s: [(String, [ReportBlock])] = []
        s.append(("总体情况", [.table(header: ["指标", "本月", "环比", "同比", "本年累计", "累计同比"],
                                   rows: overview.map { [$0.label, $0.value, $0.monthOnMonth, $0.yearOnYear, $0.yearToDate, $0.yearToDateChange] })]))
        s.append(("分层级情况", [.table(
            header: ["层级", "站点", "报送", "办件量", "办结量", "办结率", "按期办结率", "期末超期未办结", "网办件占比", "满意率", "差评"],
            rows: (current.levels + [current.total]).map { sc in
                let f = sc.figures
                return [sc.level?.chineseLabel ?? "合计", String(sc.nodes), String(sc.nodesReporting), NumberText.thousands(f.accepted),
                        NumberText.thousands(f.completed), f.completionRate.percentText(rd), f.onTimeRate.percentText(rd), String(f.overdueOpenEnd),
                        f.onlineShare.percentText(rd), f.satisfactionRate.percentText(rd), String(f.badReviews)]
            })]))
        s.append(("帮办代办等服务情况", [
            .table(header: ["服务", "本月", "环比", "同比", "本年累计", "累计同比"],
                   rows: modeLines.map { [$0.label, $0.value, $0.monthOnMonth, $0.yearOnYear, $0.yearToDate, $0.yearToDateChange] }),
            .table(header: ["层级"] + ServiceMode.allCases.map(\.label) + ["咨询"],
                   rows: (current.levels + [current.total]).map { sc in
                       [sc.level?.chineseLabel ?? "合计"] + ServiceMode.allCases.map { String(sc.figures.served($0)) } + [String(sc.figures.consultations)]
                   }),
        ]))
        if !targets.isEmpty {
            s.append(("年度目标完成情况", [.table(
                header: ["目标", "年度目标", "本年累计", "完成进度", "时间进度", "进度对比"],
                rows: targets.map { t in
                    [t.label, NumberText.thousands(t.target.accepted), NumberText.thousands(t.done), t.share.percentText(rd), t.timeShare.percentText(rd),
                     t.asAt == nil ? "—" : (t.onPace ? "快于时间进度" : "慢于时间进度")]
                })]))
        }
        s.append(("乡镇排名（含所辖村（社区））", rankingBlocks(townshipRanking, unit: "乡镇") + [.chart(acceptedChart), .chart(satisfactionChart)]))
        let stations = stationRanking
        let withData = stations.filter { $0.rank != nil }
        let n = min(5, withData.count / 2)
        var stationBlocks: [ReportBlock] = [.paragraph("全部 \(stations.count) 个站点中 \(withData.count) 个参与排名"
            + (stations.count > withData.count ? "，\(stations.count - withData.count) 个本月无数据" : "") + "；各站点名次见 CSV 附表。")]
        if n > 0 {
            stationBlocks.append(.paragraph("红榜（前 \(n) 名）"))
            stationBlocks += rankingBlocks(Array(withData.prefix(n)), unit: "站点", noDataLine: false)
            stationBlocks.append(.paragraph("黑榜（后 \(n) 名）"))
            stationBlocks += rankingBlocks(Array(withData.suffix(n)), unit: "站点", noDataLine: false)
        }
        s.append(("站点红黑榜", stationBlocks))
        s.append(("部门情况", rankingBlocks(departmentRanking, unit: "部门")))
        var windowBlocks: [ReportBlock] = []
        if breakdowns.windows.isEmpty {
            windowBlocks.append(.paragraph("本月办件和评价均未登记窗口（sanji window add 登记窗口，办件的 window 列注明窗口）。"))
        } else {
            windowBlocks += rankingBlocks(windowRanking, unit: "窗口")
            windowBlocks.append(.paragraph("红旗窗口：" + (honorRoll.isEmpty ? "本月无。" : honorRoll.map { "\($0.name)（\($0.scoreText) 分）" }.joined(separator: "、") + "。")))
            let attention = attentionWindows
            windowBlocks.append(.paragraph("需关注窗口：" + (attention.isEmpty ? "本月无。" : "")))
            if !attention.isEmpty { windowBlocks.append(.list(attention.map { "\($0.unit.name)：\($0.reasons.joined(separator: "，"))" })) }
        }
        s.append(("窗口排名与红旗窗口", windowBlocks))
        if !breakdowns.staff.isEmpty {
            let stars = staffRanking.filter { $0.rank != nil }.prefix(honorWindows)
            s.append(("服务之星", [.paragraph("按综合得分（不含差评整改率）排名前 \(stars.count) 位的工作人员（工号）："
                + stars.map { "\($0.name)（\($0.scoreText) 分，办件 \($0.figures.accepted) 件，满意率 \($0.figures.satisfactionRate.percentText(rd))）" }.joined(separator: "、") + "。")]))
        }
        s.append(("差评整改", reviewBlocks))
        s.append(("超期未办结", overdueBlocks))
        s.append(("未报送站点", [current.attention.stale.isEmpty ? .paragraph("全部站点均已报送。") : .list(current.attention.stale.map {
            "\($0.name)（\($0.id)）最后报送 \($0.lastSeen.map { zone.format(Timestamp(seconds: $0)) } ?? "从未报送")"
        })]))
        return s.enumerated().map { ReportSection(heading: "\(Self.chineseNumeral($0.offset + 1))、\($0.element.0)", blocks: $0.element.1) }
    }

    /// A ranking as a table: 名次 (ties 并列, 无数据 last), 综合得分 and the figures it weighs.
    func rankingBlocks(_ ranking: [RankedUnit], unit: String, noDataLine: Bool = true) -> [ReportBlock] {
        let rd = rounding
        let rows = ranking.map { u -> [String] in
            let f = u.figures
            return [u.rankText, u.name, u.scoreText, NumberText.thousands(f.accepted), NumberText.thousands(f.completed), f.completionRate.percentText(rd),
                    f.onTimeRate.percentText(rd), String(f.overdueOpenEnd), f.onlineShare.percentText(rd), f.satisfactionRate.percentText(rd),
                    f.rectificationRate.percentText(rd)]
        }
        var blocks: [ReportBlock] = [.table(header: ["名次", unit, "综合得分", "办件量", "办结量", "办结率", "按期办结率", "期末超期未办结", "网办件占比", "满意率", "差评整改率"],
                                            rows: rows)]
        let noData = ranking.filter { $0.rank == nil }
        if noDataLine, !noData.isEmpty { blocks.append(.paragraph("无数据（本月无办件和评价，不参与排名）：\(noData.map(\.name).joined(separator: "、"))。")) }
        return blocks
    }

    var acceptedChart: ReportChart {
        let bars = townships.map { ($0.name, Double($0.figures.accepted), NumberText.thousands($0.figures.accepted)) }
        return ReportChart(title: "各乡镇办件量（含所辖村（社区））", bars: bars, minValue: 0, maxValue: bars.map(\.1).max() ?? 0, color: "#3b6ea5")
    }

    var satisfactionChart: ReportChart {
        let bars = townships.map { ($0.name, ($0.figures.satisfactionRate.value ?? 0) * 100, $0.figures.satisfactionRate.percentText(rounding)) }
        // Satisfaction sits between 95 % and 100 % almost everywhere: a full axis would hide every difference.
        let floor = min(90, (bars.map(\.1).min() ?? 90).rounded(.down))
        return ReportChart(title: "各乡镇满意率（横轴自 \(Int(floor))% 起）", bars: bars, minValue: floor, maxValue: 100, color: "#2e8b57")
    }

    var reviewBlocks: [ReportBlock] {
        let rd = rounding
        let f = current.total.figures, r = f.reviews
        var blocks: [ReportBlock] = [.paragraph(
            "本月差评 \(f.badReviews) 件（实名 \(r.named) 件），截至月末已整改 \(r.rectified) 件（\(f.rectificationRate.percentText(rd))），"
            + "按时整改率 \(f.rectifiedInTimeRate.percentText(rd))；已回访 \(r.revisited) 件（\(f.revisitRate.percentText(rd))），实名差评回访率 \(f.namedRevisitRate.percentText(rd))，"
            + "回访满意率 \(f.revisitSatisfactionRate.percentText(rd))。" + (r.upheld > 0 ? "经申诉复核认定不计入的差评 \(r.upheld) 件。" : ""))]
        let overdue = exceptions.unrectifiedOverdue
        if overdue.isEmpty {
            blocks.append(.paragraph("截至月末无超期未整改差评。"))
        } else {
            blocks.append(.paragraph("截至月末超期未整改："))
            blocks.append(.list(overdue.map {
                "\(names[$0.record.origin] ?? $0.record.origin)（\($0.record.origin)）"
                    + ($0.record.window.isEmpty ? "" : ($0.record.window.allSatisfy(\.isNumber) ? "\($0.record.window)号窗口" : $0.record.window))
                    + "评价 \($0.record.evalId)，\($0.record.day) \($0.record.grade.rawValue)，整改时限 \($0.rectifyDue)" + ($0.record.named ? "，实名" : "")
            }))
        }
        return blocks
    }

    var overdueBlocks: [ReportBlock] {
        let nodes = breakdowns.stations.filter { $0.figures.overdueOpenEnd > 0 }
        guard !nodes.isEmpty || !exceptions.openOverdue.isEmpty else { return [.paragraph("截至月末无超期未办结办件。")] }
        var blocks: [ReportBlock] = [.list(nodes.map { "\($0.name)（\($0.key)）期末超期未办结 \($0.figures.overdueOpenEnd) 件，期末在办 \($0.figures.openEnd) 件" })]
        let listed = exceptions.openOverdue
        if !listed.isEmpty {
            blocks.append(.table(header: ["站点", "窗口", "办件编号", "部门", "受理日", "承诺办结日", "超期工作日"], rows: listed.map {
                [names[$0.record.origin] ?? $0.record.origin, $0.record.window.isEmpty ? "—" : $0.record.window, $0.record.caseNo, $0.record.department,
                 $0.record.acceptedDay.description, $0.record.deadline.description, String($0.daysOverdue)]
            }))
        }
        return blocks
    }
}

extension String {
    /// `增长 12.50%` → `增长 12.50%` as a phrase after 同比/环比; `—` → `无可比数据`; `持平` stays.
    var asPhrase: String { self == "—" ? "无可比数据" : self }
    /// `上升 3.00 个百分点` → `相差 3.00 个百分点`.
    var replacingPrefix: String {
        if hasPrefix("上升 ") { return "超出 " + dropFirst(3) }
        if hasPrefix("下降 ") { return "相差 " + dropFirst(3) }
        return self
    }
}
