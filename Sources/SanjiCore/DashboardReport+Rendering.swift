/// The three renderings of the dashboard. Every number in the table is derived from the same
/// values the JSON carries (the JSON at full precision, the table cut to 0.01 %).
extension DashboardReport {
    public enum Language: String, CaseIterable, Sendable { case zh, en }

    // MARK: JSON

    public func json(zone: ZoneRule) -> JSONValue {
        .object([
            ("as_of", .string(zone.format(asOf))),
            ("node", .object([("id", .string(node.id)), ("name", .string(node.name)), ("level", .string(node.level.rawValue))])),
            ("period", .object([("from", .string(period.from.description)), ("to", .string(period.to.description))])),
            ("catalog_sequence", .int(catalogSequence)),
            ("total", DashboardReport.json(total)),
            ("levels", .array(levels.map(DashboardReport.json))),
            ("catalog", .array(catalog.map(DashboardReport.json))),
        ])
    }

    static func json(_ s: Scope) -> JSONValue {
        let f = s.figures
        var pairs: [(String, JSONValue)] = []
        if let level = s.level { pairs.append(("level", .string(level.rawValue))) }
        pairs += [
            ("nodes", .int(s.nodes)), ("nodes_reporting", .int(s.nodesReporting)),
            ("accepted", .int(f.accepted)), ("completed", .int(f.completed)),
            ("completion_rate", .ratio(f.completionRate)), ("on_time_rate", .ratio(f.onTimeRate)),
            ("online_share", .ratio(f.onlineShare)), ("avg_visits", .ratio(f.averageVisits)),
            ("assisted", .int(f.assisted)), ("immediate", .int(f.immediate)),
            ("evaluations", .int(f.evaluations)),
            ("grades", .object(f.grades.map { ($0.0.rawValue, .int($0.1)) })),
            ("bad_reviews", .int(f.badReviews)), ("bad_rectified", .int(f.badRectified)), ("bad_revisited", .int(f.badRevisited)),
            ("satisfaction_rate", .ratio(f.satisfactionRate)), ("rectification_rate", .ratio(f.rectificationRate)),
            ("revisit_rate", .ratio(f.revisitRate)),
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
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Table

    public func table(zone: ZoneRule, language: Language = .zh) -> String {
        let zh = language == .zh
        func label(_ l: Level?) -> String { l.map { zh ? $0.chineseLabel : $0.englishLabel } ?? (zh ? "合计" : "Total") }
        var out: [String] = []
        let levelName = zh ? node.level.chineseLabel : node.level.englishLabel
        out.append("\(node.name)  (\(node.id), \(levelName))")
        out.append(zh
            ? "统计期 \(period.from) 至 \(period.to)    截至 \(zone.format(asOf))    目录版本 \(catalogSequence)"
            : "Period \(period.from) to \(period.to)    as of \(zone.format(asOf))    catalogue sequence \(catalogSequence)")
        out.append((zh ? "报送情况 " : "Reporting ") + "\(total.nodesReporting)/\(total.nodes)"
            + (zh ? " 个节点" : " nodes") + "  (" + levels.map { "\(label($0.level)) \($0.nodesReporting)/\($0.nodes)" }.joined(separator: ", ") + ")")
        out.append("")

        let n = NumberText.thousands
        var cases = TextTable(
            headers: zh ? ["层级", "节点", "报送", "办件量", "办结", "办结率", "按期办结率", "网办件占比", "平均跑动次数", "帮办代办"]
                : ["Level", "Nodes", "Reporting", "Accepted", "Completed", "Completion", "On time", "Online", "Avg visits", "Assisted"],
            alignments: [.left] + Array(repeating: .right, count: 9))
        var evals = TextTable(
            headers: zh ? ["层级", "评价数"] + Grade.allCases.map(\.rawValue) + ["满意率", "差评", "已整改", "已回访", "整改率", "回访率"]
                : ["Level", "Evaluations"] + Grade.allCases.map(\.englishLabel) + ["Satisfaction", "Bad", "Rectified", "Revisited", "Rectification", "Revisit"],
            alignments: [.left] + Array(repeating: .right, count: 12))
        for (i, s) in (levels + [total]).enumerated() {
            if i == levels.count {
                cases.addRule()
                evals.addRule()
            }
            let f = s.figures
            cases.add([label(s.level), n(s.nodes), n(s.nodesReporting), n(f.accepted), n(f.completed), f.completionRate.percentText,
                       f.onTimeRate.percentText, f.onlineShare.percentText, f.averageVisits.decimalText, n(f.assisted)])
            evals.add([label(s.level), n(f.evaluations)] + f.grades.map { n($0.1) }
                + [f.satisfactionRate.percentText, n(f.badReviews), n(f.badRectified), n(f.badRevisited),
                   f.rectificationRate.percentText, f.revisitRate.percentText])
        }
        out.append(zh ? "办件" : "Cases")
        out.append(cases.render(indent: "  "))
        out.append("")
        out.append(zh ? "好差评" : "Evaluations")
        out.append(evals.render(indent: "  "))
        out.append("")
        var cat = TextTable(
            headers: zh ? ["层级", "事项数", "网上可办率", "全程网办率", "即办件占比", "最多跑一次占比", "零跑动占比", "承诺时限压缩比"]
                : ["Level", "Items", "Online", "Fully online", "Immediate", "At most one visit", "Zero visits", "Time compression"],
            alignments: [.left] + Array(repeating: .right, count: 7))
        for c in catalog {
            cat.add([label(c.level), n(c.items), c.onlineRate.percentText, c.fullOnlineRate.percentText, c.immediateShare.percentText,
                     c.maxOneVisitShare.percentText, c.zeroVisitShare.percentText, c.timeCompressionRatio.percentText])
        }
        out.append(zh ? "事项目录" : "Catalogue")
        out.append(cat.render(indent: "  "))
        return out.joined(separator: "\n") + "\n"
    }
}
