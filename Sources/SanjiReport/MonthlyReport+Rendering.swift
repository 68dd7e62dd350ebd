import Foundation
import Mustache
import SanjiCore

/// The 通报 through a template: Markdown or one self-contained HTML page (inline CSS with A4
/// print rules and SVG charts, no network), and every figure as tidy CSV.
extension MonthlyReport {
    /// The output formats a template exists for.
    public enum TemplateFormat: String, CaseIterable, Sendable {
        case md, html

        /// The template's file name under `<data>/report/`.
        public var fileName: String { "monthly.\(rawValue).mustache" }
    }

    /// What a template can name (docs/operations.md, "The 通报's template"): the header, the
    /// generated story, the numbered sections and the heading the closing 工作要求 takes.
    public func templateContext(zone: ZoneRule, format: TemplateFormat) -> [String: Any] {
        let sections = sections(zone: zone)
        return [
            "title": title, "unit": current.node.name, "issuer": document.issuer, "doc_number": document.number,
            "has_doc_number": !document.number.isEmpty, "date_line": Self.chineseDate(document.date), "year": year, "month": month,
            "period_line": periodLine, "story": story,
            "sections": sections.map { ["heading": $0.heading, "body": format == .html ? Self.html($0.blocks) : Self.markdown($0.blocks)] },
            "requirements_heading": Self.chineseNumeral(sections.count + 1) + "、工作要求",
        ]
    }

    /// The 通报 through `template` (mustache), or through the default one for `format`.
    public func render(zone: ZoneRule, format: TemplateFormat, template: String? = nil) throws -> String {
        let source = template ?? Self.defaultTemplate(format)
        let t: MustacheTemplate
        do { t = try MustacheTemplate(string: source) } catch {
            throw SanjiError(.invalidArgument, "the 通报's template does not parse: \(error)",
                             hint: "compare it with the default: sanji report template --out <dir>")
        }
        return t.render(templateContext(zone: zone, format: format))
    }

    /// The 通报 in Markdown through the default template.
    public func markdown(zone: ZoneRule) -> String { (try? render(zone: zone, format: .md)) ?? "" }

    /// The 通报 as one HTML page through the default template.
    public func html(zone: ZoneRule) -> String { (try? render(zone: zone, format: .html)) ?? "" }

    // MARK: Blocks

    static func markdown(_ blocks: [ReportBlock]) -> String {
        var out: [String] = []
        for b in blocks {
            switch b {
            case .paragraph(let p): out.append(p)
            case .list(let items): out.append(items.map { "- " + $0 }.joined(separator: "\n"))
            case .table(let header, let rows):
                out.append((["| " + header.joined(separator: " | ") + " |", "| " + header.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: " | ") + " |"]
                    + rows.map { "| " + $0.joined(separator: " | ") + " |" }).joined(separator: "\n"))
            case .chart: continue
            }
        }
        return out.joined(separator: "\n\n")
    }

    static func html(_ blocks: [ReportBlock]) -> String {
        blocks.map { b -> String in
            switch b {
            case .paragraph(let p): return "<p>\(escape(p))</p>"
            case .list(let items): return "<ul>" + items.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            case .table(let header, let rows):
                func row(_ cells: [String], _ tag: String) -> String {
                    "<tr>" + cells.enumerated().map { "<\(tag)\($0.offset > 0 ? " class=\"n\"" : "")>\(escape($0.element))</\(tag)>" }.joined() + "</tr>"
                }
                return "<table><thead>\(row(header, "th"))</thead><tbody>" + rows.map { row($0, "td") }.joined() + "</tbody></table>"
            case .chart(let c): return bars(c)
            }
        }.joined(separator: "\n")
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Horizontal bars, one per unit, labelled with the exact figure.
    static func bars(_ c: ReportChart) -> String {
        let rowHeight = 26, labelWidth = 190, barWidth = 360, height = 34 + c.bars.count * rowHeight
        var svg = "<figure><figcaption>\(escape(c.title))</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"620\" height=\"\(height)\" role=\"img\" aria-label=\"\(escape(c.title))\">"
        for (i, bar) in c.bars.enumerated() {
            let y = 10 + i * rowHeight
            let w = c.maxValue > c.minValue ? Int(Double(barWidth) * max(0, bar.value - c.minValue) / (c.maxValue - c.minValue)) : 0
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(bar.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(w)\" height=\"18\" fill=\"\(c.color)\"/>"
            svg += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 15)\">\(escape(bar.text))</text>"
        }
        return svg + "</svg></figure>"
    }

    // MARK: CSV (tidy)

    /// Tidy CSV (`section,key,metric,value`): every figure the 通报 shows (the month, 环比, 同比,
    /// 本年累计 and its 同比; levels, townships, stations, departments, windows, staff; scores and
    /// ranks; targets; 红旗窗口 and the windows that need attention) and the lists.
    public func csv() -> String {
        var lines = ["section,key,metric,value"]
        func add(_ section: String, _ key: String, _ metric: String, _ value: String) { lines.append(CSVWriter.line([section, key, metric, value])) }
        func ratio(_ r: Ratio) -> String { r.value.map { "\($0)" } ?? "" }
        add("meta", "", "from", current.period.from.description)
        add("meta", "", "to", current.period.to.description)
        add("meta", "", "as_at", current.asAt.lastDay.description)
        add("meta", "", "nodes", String(current.total.nodes))
        add("meta", "", "nodes_reporting", String(current.total.nodesReporting))
        add("meta", "", "issuer", document.issuer)
        add("meta", "", "doc_number", document.number)
        add("meta", "", "score_weights", weights.text)
        func figures(_ section: String, _ key: String, _ f: PeriodFigures) {
            let r = f.reviews
            for (metric, v) in [("open_start", f.openStart), ("accepted", f.accepted), ("completed", f.completed), ("open_end", f.openEnd),
                                ("overdue_open_end", f.overdueOpenEnd), ("evaluations", f.evaluations), ("bad_reviews", f.badReviews),
                                ("bad_named", r.named), ("bad_rectified", r.rectified), ("bad_rectified_in_time", r.rectifiedInTime),
                                ("bad_revisited", r.revisited), ("bad_named_revisited", r.namedRevisited), ("appeals_upheld", r.upheld),
                                ("assisted", f.assisted), ("consultations", f.consultations), ("assistance_services", f.assistanceServices)] {
                add(section, key, metric, String(v))
            }
            for m in ServiceMode.allCases { add(section, key, "mode_\(m.name)", String(f.served(m))) }
            for (metric, v) in [("completion_rate", f.completionRate), ("on_time_rate", f.onTimeRate), ("online_share", f.onlineShare),
                                ("satisfaction_rate", f.satisfactionRate), ("rectification_rate", f.rectificationRate),
                                ("rectified_in_time_rate", f.rectifiedInTimeRate), ("revisit_rate", f.revisitRate),
                                ("named_revisit_rate", f.namedRevisitRate), ("revisit_satisfaction_rate", f.revisitSatisfactionRate)] {
                add(section, key, metric, ratio(v))
            }
        }
        func ranked(_ section: String, _ units: [RankedUnit]) {
            for u in units {
                figures(section, u.key, u.figures)
                add(section, u.key, "name", u.name)
                add(section, u.key, "score", u.score.map { NumberText.fixed($0, places: 2) } ?? "")
                add(section, u.key, "rank", u.rank.map(String.init) ?? "no_data")
                add(section, u.key, "tied", u.tied ? "1" : "0")
            }
        }
        figures("total", "", current.total.figures)
        figures("previous_month", "", periods.previous.total.figures)
        figures("same_month_last_year", "", periods.lastYear.total.figures)
        figures("year_to_date", "", periods.yearToDate.total.figures)
        figures("year_to_date_last_year", "", periods.lastYearToDate.total.figures)
        for s in current.levels { figures("level", s.level!.rawValue, s.figures) }
        for s in periods.yearToDate.levels { figures("level_year_to_date", s.level!.rawValue, s.figures) }
        ranked("township", townshipRanking)
        // The three single-figure ranks of earlier 通报, kept for the tables counties already built on them.
        for (metric, score) in [("rank_accepted", { (f: PeriodFigures) in Double(f.accepted) }), ("rank_on_time", { $0.onTimeIncludingOpen.value ?? -1 }),
                                ("rank_satisfaction", { $0.satisfactionRate.value ?? -1 })] {
            let sorted = townships.map { ($0.key, score($0.figures)) }.sorted { $0.1 > $1.1 }
            for (i, (key, v)) in sorted.enumerated() {
                let rank = (sorted.firstIndex { $0.1 == v } ?? i) + 1
                add("township", key, metric, String(rank))
            }
        }
        ranked("node", stationRanking)
        ranked("department", departmentRanking)
        ranked("window", windowRanking)
        ranked("staff", staffRanking)
        for u in honorRoll { add("honor_window", u.key, "score", u.scoreText) }
        for a in attentionWindows { add("attention_window", a.unit.key, "reasons", a.reasons.joined(separator: "；")) }
        for t in targets {
            add("target", t.target.scope, "target_accepted", String(t.target.accepted))
            add("target", t.target.scope, "year_to_date_accepted", String(t.done))
            add("target", t.target.scope, "share", ratio(t.share))
            add("target", t.target.scope, "time_share", ratio(t.timeShare))
            add("target", t.target.scope, "on_pace", t.onPace ? "1" : "0")
        }
        for r in exceptions.unrectifiedOverdue { add("unrectified_bad_review", r.record.origin, r.record.evalId, r.rectifyDue.description) }
        for c in exceptions.openOverdue { add("overdue_open_case", c.record.origin, c.record.caseNo, String(c.daysOverdue)) }
        for n in current.attention.stale { add("stale", n.id, "last_seen", n.lastSeen.map(String.init) ?? "") }
        for (i, sentence) in story.enumerated() { add("story", String(i + 1), "text", sentence) }
        return lines.joined(separator: "\n") + "\n"
    }
}
