import Foundation
import SanjiCore

/// The three renderings of the dashboard. Every number in the table is derived from the same
/// values the JSON carries (the JSON at full precision, the table to 0.01 % as the county rounds).
extension DashboardReport {
    /// The table's language: Chinese (the default) or English.
    public enum Language: String, CaseIterable, Sendable { case zh, en }

    // MARK: JSON

    /// The dashboard as JSON: every figure at full precision (rates as fractions, `null` when undefined), times in `zone`.
    public func json(zone: ZoneRule) -> JSONValue {
        .object([
            ("as_of", .string(zone.format(asOf))),
            ("node", .object([("id", .string(node.id)), ("name", .string(node.name)), ("level", .string(node.level.rawValue))])),
            ("period", .object([("from", .string(period.from.description)), ("to", .string(period.to.description))])),
            // The day the figures stand at: the period's last day, or today while it runs.
            ("as_at", .string(asAt.lastDay.description)), ("period_ended", .bool(asAt.ended)),
            ("rounding", .string(rounding.rawValue)),
            ("catalog_sequence", .int(catalogSequence)),
            ("total", DashboardReport.json(total)),
            ("levels", .array(levels.map(DashboardReport.json))),
            ("catalog", .array(catalog.map(DashboardReport.json))),
            ("stale_after_seconds", .int(Int(staleAfter))),
            ("breakdown", breakdown.map { b in .object([("by", .string(b.kind.rawValue)), ("rows", .array(b.rows.map(DashboardReport.json)))]) } ?? .null),
            ("attention", attentionJSON(zone: zone)),
        ])
    }

    static func json(_ r: BreakdownRow) -> JSONValue {
        guard case .object(let figures) = json(Scope(level: nil, nodes: r.nodes, nodesReporting: r.nodesReporting, figures: r.figures)) else { return .null }
        return .object([("key", .string(r.key)), ("name", .string(r.name)), ("level", r.level.map { .string($0.rawValue) } ?? .null), ("depth", .int(r.depth))] + figures)
    }

    func attentionJSON(zone: ZoneRule) -> JSONValue {
        func seen(_ t: Int64?) -> JSONValue { t.map { .string(zone.format(Timestamp(seconds: $0))) } ?? .null }
        return .object([
            ("stale", .array(attention.stale.map { .object([("id", .string($0.id)), ("name", .string($0.name)), ("level", .string($0.level.rawValue)),
                                                            ("last_seen", seen($0.lastSeen)), ("backlog", .int($0.backlog))]) })),
            ("subtree_conflicts", .array(attention.conflicts.map { .object([("node", .string($0.subject)), ("claimed_by", .string($0.claimedBy)),
                                                                             ("enrolled_under", .string($0.owner)), ("last_seen", seen($0.lastSeen))]) })),
            ("clock_skewed", .array(attention.clockSkewed.map { .object([("id", .string($0.id)), ("name", .string($0.name)), ("clock_skew_seconds", .int(Int($0.clockSkew)))]) })),
            ("behind_catalog", .array(attention.behindCatalog.map { .object([("id", .string($0.id)), ("name", .string($0.name)), ("catalog_sequence", $0.catalogSeq.map(JSONValue.int) ?? .null)]) })),
            ("unrectified_bad_reviews", .array(attention.unrectified.map { .object([("node", .string($0.node)), ("name", .string($0.name)), ("count", .int($0.count)), ("oldest_day", .string($0.oldestDay.description))]) })),
            ("overdue_open_cases", .array(attention.overdue.map { .object([("id", .string($0.id)), ("name", .string($0.name)), ("open", .int($0.openCases)), ("overdue", .int($0.overdueCases))]) })),
            ("impossible_counts", .array(attention.impossible.map { .object([("id", .string($0.node)), ("name", .string($0.name)), ("accepted", .int($0.accepted)),
                                                                               ("completed", .int($0.completed)), ("due", .int($0.due))]) })),
            ("two_copies", .array(attention.copies.map { .object([("id", .string($0.node.id)), ("name", .string($0.node.name)), ("refused_copy", .string($0.refused))]) })),
            ("failed_imports", .array(attention.failedImports.map { .object([("file", .string($0.file)), ("errors", .string($0.errors)), ("failed_at", .int(Int($0.failedAt)))]) })),
        ])
    }

    static func json(_ s: Scope) -> JSONValue {
        let f = s.figures, r = f.reviews
        var pairs: [(String, JSONValue)] = []
        if let level = s.level { pairs.append(("level", .string(level.rawValue))) }
        pairs += [
            ("nodes", .int(s.nodes)), ("nodes_reporting", .int(s.nodesReporting)),
            ("open_start", .int(f.openStart)), ("accepted", .int(f.accepted)), ("completed", .int(f.completed)),
            ("open_end", .int(f.openEnd)), ("overdue_open_end", .int(f.overdueOpenEnd)),
            ("completion_rate", .ratio(f.completionRate)), ("on_time_rate", .ratio(f.onTimeRate)),
            ("online_share", .ratio(f.onlineShare)), ("avg_visits", .ratio(f.averageVisits)),
            ("assisted", .int(f.assisted)), ("immediate", .int(f.immediate)),
        ]
        pairs += ServiceMode.allCases.map { ("mode_\($0.name)", JSONValue.int(f.served($0))) }
        pairs += [
            ("consultations", .int(f.consultations)), ("assistance_services", .int(f.assistanceServices)),
            ("evaluations", .int(f.evaluations)),
            ("grades", .object(f.grades.map { ($0.0.rawValue, .int($0.1)) })),
            ("bad_reviews", .int(f.badReviews)), ("bad_named", .int(r.named)), ("bad_rectified", .int(r.rectified)),
            ("bad_rectify_due", .int(r.rectifyDue)), ("bad_rectified_in_time", .int(r.rectifiedInTime)),
            ("bad_revisited", .int(r.revisited)), ("bad_named_revisited", .int(r.namedRevisited)),
            ("revisit_graded", .int(r.revisitGraded)), ("revisit_satisfied", .int(r.revisitSatisfied)),
            ("appeals_upheld", .int(r.upheld)),
            ("satisfaction_rate", .ratio(f.satisfactionRate)), ("rectification_rate", .ratio(f.rectificationRate)),
            ("rectified_in_time_rate", .ratio(f.rectifiedInTimeRate)), ("revisit_rate", .ratio(f.revisitRate)),
            ("named_revisit_rate", .ratio(f.namedRevisitRate)), ("revisit_satisfaction_rate", .ratio(f.revisitSatisfactionRate)),
        ]
        return .object(pairs)
    }

    static func json(_ c: CatalogFigures) -> JSONValue {
        .object([
            ("level", .string(c.level.rawValue)), ("items", .int(c.items)),
            ("online_rate", .ratio(c.onlineRate)), ("full_online_rate", .ratio(c.fullOnlineRate)),
            ("immediate_share", .ratio(c.immediateShare)), ("max_one_visit_share", .ratio(c.maxOneVisitShare)),
            ("zero_visit_share", .ratio(c.zeroVisitShare)), ("time_compression_ratio", .ratio(c.timeCompressionRatio)),
        ])
    }

    // MARK: CSV (tidy: one figure per line)

    /// Tidy CSV (`section,level,metric,value`): one figure per line, for spreadsheets.
    public func csv(zone: ZoneRule) -> String {
        var lines = ["section,level,metric,value"]
        func add(_ section: String, _ level: String, _ metric: String, _ value: JSONValue) {
            lines.append(CSVWriter.line([section, level, metric, value.render(pretty: false).replacingOccurrences(of: "\"", with: "")]))
        }
        add("meta", "", "as_of", .string(zone.format(asOf)))
        add("meta", "", "from", .string(period.from.description))
        add("meta", "", "to", .string(period.to.description))
        add("meta", "", "node", .string(node.id))
        add("meta", "", "catalog_sequence", .int(catalogSequence))
        for scope in levels + [total] {
            guard case .object(let pairs) = DashboardReport.json(scope) else { continue }
            let level = scope.level?.rawValue ?? "total"
            for (key, value) in pairs where key != "level" {
                if case .object(let grades) = value {
                    for (g, n) in grades { add("cases", level, "grade:\(g)", n) }
                } else {
                    add("cases", level, key, value)
                }
            }
        }
        for c in catalog {
            guard case .object(let pairs) = DashboardReport.json(c) else { continue }
            for (key, value) in pairs where key != "level" { add("catalog", c.level.rawValue, key, value) }
        }
        if let b = breakdown {
            for r in b.rows {
                guard case .object(let pairs) = DashboardReport.json(r) else { continue }
                for (key, value) in pairs where !["key", "level", "depth", "grades"].contains(key) { add("by_\(b.kind.rawValue)", r.key, key, value) }
            }
        }
        for n in attention.stale { add("attention", n.id, "stale_last_seen", .string(n.lastSeen.map { zone.format(Timestamp(seconds: $0)) } ?? "never")) }
        for c in attention.conflicts { add("attention", c.subject, "claimed_by", .string(c.claimedBy)) }
        for n in attention.clockSkewed { add("attention", n.id, "clock_skew_seconds", .int(Int(n.clockSkew))) }
        for n in attention.behindCatalog { add("attention", n.id, "behind_catalog_sequence", .int(n.catalogSeq ?? 0)) }
        for u in attention.unrectified { add("attention", u.node, "unrectified_bad_reviews", .int(u.count)) }
        for n in attention.overdue { add("attention", n.id, "overdue_open_cases", .int(n.overdueCases)) }
        for n in attention.impossible { add("attention", n.node, "impossible_counts", .string("accepted \(n.accepted) completed \(n.completed) due \(n.due)")) }
        for c in attention.copies { add("attention", c.node.id, "two_copies_refused", .string(c.refused)) }
        for f in attention.failedImports { add("attention", node.id, "failed_import", .string(f.file)) }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Table

    /// Plain-text tables for a terminal: cases, evaluations, 差评 follow-up, catalogue, the breakdown if any,
    /// and what needs attention today.
    public func table(zone: ZoneRule, language: Language = .zh) -> String {
        let zh = language == .zh
        let rd = rounding
        func label(_ l: Level?) -> String { l.map { zh ? $0.chineseLabel : $0.englishLabel } ?? (zh ? "合计" : "Total") }
        var out: [String] = []
        let levelName = zh ? node.level.chineseLabel : node.level.englishLabel
        out.append("\(node.name)  (\(node.id), \(levelName))")
        let standing = asAt.ended ? (zh ? "期末 \(asAt.lastDay)" : "at the end of \(asAt.lastDay)") : (zh ? "截至 \(zone.format(asOf))" : "as of \(zone.format(asOf))")
        out.append(zh
            ? "统计期 \(period.from) 至 \(period.to)    \(standing)    目录版本 \(catalogSequence)"
            : "Period \(period.from) to \(period.to)    \(standing)    catalogue sequence \(catalogSequence)")
        let staleText = staleAfter % 86_400 == 0 ? "\(staleAfter / 86_400)d" : staleAfter % 3600 == 0 ? "\(staleAfter / 3600)h" : "\(staleAfter)s"
        out.append((zh ? "报送情况 " : "Reporting ") + "\(total.nodesReporting)/\(total.nodes)"
            + (zh ? " 个站点" : " nodes") + "  (" + levels.map { "\(label($0.level)) \($0.nodesReporting)/\($0.nodes)" }.joined(separator: ", ") + ")"
            + (zh ? "  超过 \(staleText) 未报送视为未报送" : "  (stale after \(staleText))"))
        out.append("")

        let n = NumberText.thousands
        var cases = TextTable(
            headers: zh ? ["层级", "站点", "报送", "期初在办", "办件量", "办结量", "办结率", "按期办结率", "期末超期未办结", "期末在办", "网办件占比", "平均跑动次数", "帮办代办"]
                : ["Level", "Nodes", "Reporting", "Open at start", "Accepted", "Completed", "Completion", "On time", "Overdue open", "Open at end", "Online", "Avg visits", "Assisted"],
            alignments: [.left] + Array(repeating: .right, count: 12))
        var evals = TextTable(
            headers: zh ? ["层级", "评价数"] + Grade.allCases.map(\.rawValue) + ["满意率"]
                : ["Level", "Evaluations"] + Grade.allCases.map(\.englishLabel) + ["Satisfaction"],
            alignments: [.left] + Array(repeating: .right, count: 7))
        var modes = TextTable(
            headers: zh ? ["层级"] + ServiceMode.allCases.map(\.label) + ["咨询", "帮办代办服务"]
                : ["Level", "Help", "Proxy", "Home", "Appointment", "Extended", "Mail", "Consultations", "Assistance"],
            alignments: [.left] + Array(repeating: .right, count: 8))
        var bad = TextTable(
            headers: zh ? ["层级", "差评", "实名", "已整改", "整改率", "整改及时率", "已回访", "回访率", "实名差评回访率", "回访满意率", "申诉成立"]
                : ["Level", "Bad", "Named", "Rectified", "Rectification", "In time", "Revisited", "Revisit", "Named revisit", "Revisit satisfaction", "Upheld appeals"],
            alignments: [.left] + Array(repeating: .right, count: 10))
        for (i, s) in (levels + [total]).enumerated() {
            if i == levels.count {
                cases.addRule()
                evals.addRule()
                modes.addRule()
                bad.addRule()
            }
            let f = s.figures, r = f.reviews
            cases.add([label(s.level), n(s.nodes), n(s.nodesReporting), n(f.openStart), n(f.accepted), n(f.completed), f.completionRate.percentText(rd),
                       f.onTimeRate.percentText(rd), n(f.overdueOpenEnd), n(f.openEnd), f.onlineShare.percentText(rd), f.averageVisits.decimalText(rd), n(f.assisted)])
            evals.add([label(s.level), n(f.evaluations)] + f.grades.map { n($0.1) } + [f.satisfactionRate.percentText(rd)])
            modes.add([label(s.level)] + ServiceMode.allCases.map { n(f.served($0)) } + [n(f.consultations), n(f.assistanceServices)])
            bad.add([label(s.level), n(f.badReviews), n(r.named), n(r.rectified), f.rectificationRate.percentText(rd), f.rectifiedInTimeRate.percentText(rd),
                     n(r.revisited), f.revisitRate.percentText(rd), f.namedRevisitRate.percentText(rd), f.revisitSatisfactionRate.percentText(rd), n(r.upheld)])
        }
        out.append(zh ? "办件" : "Cases")
        out.append(cases.render(indent: "  "))
        out.append("")
        out.append(zh ? "帮办代办等服务（帮办代办服务 = 帮办 + 代办 + 上门 + 咨询）" : "Service modes (assistance = help + proxy + home + consultations)")
        out.append(modes.render(indent: "  "))
        out.append("")
        out.append(zh ? "好差评" : "Evaluations")
        out.append(evals.render(indent: "  "))
        out.append("")
        out.append(zh ? "差评整改与回访（截至期末）" : "Bad reviews followed up (as at the period's end)")
        out.append(bad.render(indent: "  "))
        out.append("")
        var cat = TextTable(
            headers: zh ? ["层级", "事项数", "网上可办率", "全程网办率", "即办件占比", "最多跑一次占比", "零跑动占比", "承诺时限压缩比"]
                : ["Level", "Items", "Online", "Fully online", "Immediate", "At most one visit", "Zero visits", "Time compression"],
            alignments: [.left] + Array(repeating: .right, count: 7))
        for c in catalog {
            cat.add([label(c.level), n(c.items), c.onlineRate.percentText(rd), c.fullOnlineRate.percentText(rd), c.immediateShare.percentText(rd),
                     c.maxOneVisitShare.percentText(rd), c.zeroVisitShare.percentText(rd), c.timeCompressionRatio.percentText(rd)])
        }
        out.append(zh ? "事项目录" : "Catalogue")
        out.append(cat.render(indent: "  "))
        if let b = breakdown {
            let title: [BreakdownKind: (String, String)] = [.township: ("分乡镇", "By township"), .node: ("分站点", "By node"),
                                                            .department: ("分部门", "By department"), .item: ("分事项", "By item"),
                                                            .window: ("分窗口", "By window"), .staff: ("分工作人员（工号）", "By staff member")]
            var t = TextTable(
                headers: zh ? ["名称", "编码", "办件量", "办结量", "办结率", "按期办结率", "期末超期未办结", "网办件占比", "评价数", "满意率", "差评", "整改率"]
                    : ["Name", "Key", "Accepted", "Completed", "Completion", "On time", "Overdue open", "Online", "Evaluations", "Satisfaction", "Bad", "Rectification"],
                alignments: [.left, .left] + Array(repeating: .right, count: 10))
            for r in b.rows {
                let f = r.figures
                t.add([String(repeating: "  ", count: r.depth) + r.name, r.key, n(f.accepted), n(f.completed), f.completionRate.percentText(rd),
                       f.onTimeRate.percentText(rd), n(f.overdueOpenEnd), f.onlineShare.percentText(rd), n(f.evaluations), f.satisfactionRate.percentText(rd),
                       n(f.badReviews), f.rectificationRate.percentText(rd)])
            }
            out.append("")
            out.append(zh ? title[b.kind]!.0 : title[b.kind]!.1)
            out.append(t.render(indent: "  "))
        }
        if !attention.isEmpty {
            out.append("")
            out.append(zh ? "需要关注（今日）" : "Attention (today)")
            func seen(_ t: Int64?) -> String { t.map { zone.format(Timestamp(seconds: $0)) } ?? (zh ? "从未报送" : "never") }
            for s in attention.stale {
                out.append("  " + (zh ? "未报送  " : "stale    ") + "\(s.id) \(s.name)  " + (zh ? "最后报送 " : "last seen ") + seen(s.lastSeen)
                           + (zh ? "  待上报 \(s.backlog) 行" : "  backlog \(s.backlog) rows"))
            }
            for n in attention.clockSkewed {
                let minutes = n.clockSkew / 60
                out.append("  " + (zh ? "时钟偏差  " : "clock off  ") + "\(n.id) \(n.name)  " + (minutes >= 0 ? "+" : "") + "\(minutes)" + (zh ? " 分钟（相对上级）" : " min (against its parent)"))
            }
            for c in attention.conflicts {
                out.append("  " + (zh ? "归属冲突  " : "conflict  ") + "\(c.subject) " + (zh ? "已属 \(c.owner)，\(c.claimedBy) 亦声称所辖（已拒绝）" : "enrolled under \(c.owner), also claimed by \(c.claimedBy) (refused)"))
            }
            for s in attention.behindCatalog {
                out.append("  " + (zh ? "目录落后  " : "behind   ") + "\(s.id) \(s.name)  " + (zh ? "目录版本 " : "catalogue ") + "\(s.catalogSeq ?? 0)/\(catalogSequence)")
            }
            for u in attention.unrectified {
                out.append("  " + (zh ? "差评超期未整改  " : "bad review not rectified in time  ") + "\(u.node) \(u.name)  \(u.count)" + (zh ? " 件，最早 " : ", oldest ") + u.oldestDay.description)
            }
            for c in attention.copies {
                out.append("  " + (zh ? "两份副本  " : "two copies  ") + "\(c.node.id) \(c.node.name)  "
                           + (zh ? "另一台电脑上的副本 \(c.refused) 已被拒绝（sanji copies）" : "a second copy \(c.refused) is refused (sanji copies)"))
            }
            for n in attention.impossible {
                out.append("  " + (zh ? "数据不可能  " : "impossible counts  ") + "\(n.node) \(n.name)  "
                           + (zh ? "累计办结 \(n.completed)、到期 \(n.due)，多于受理 \(n.accepted)" : "completed \(n.completed), due \(n.due), more than accepted \(n.accepted)"))
            }
            for o in attention.overdue {
                out.append("  " + (zh ? "超期未办结  " : "overdue open cases  ") + "\(o.id) \(o.name)  \(o.overdueCases)/\(o.openCases)" + (zh ? " (超期/在办)" : " (overdue/open)"))
            }
            for f in attention.failedImports {
                out.append("  " + (zh ? "导入失败  " : "import failed  ") + f.file + "  " + (zh ? "问题见 " : "problems in ") + f.errors)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
