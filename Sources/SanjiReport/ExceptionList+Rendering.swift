import SanjiCore

/// `sanji exceptions` as JSON, CSV and a table.
extension ExceptionList {
    /// Every case and 差评 as one JSON array, with origin names from `names` (the id when it has none).
    public func json(names: [String: String]) -> JSONValue {
        func day(_ d: Day?) -> JSONValue { d.map { .string($0.description) } ?? .null }
        let caseRows: [JSONValue] = cases.map { c in
            .object([
                ("kind", .string("overdue")), ("origin", .string(c.record.origin)), ("origin_name", .string(names[c.record.origin] ?? c.record.origin)),
                ("case_no", .string(c.record.caseNo)), ("item", .string(c.record.item)), ("department", .string(c.record.department)),
                ("accepted_day", .string(c.record.acceptedDay.description)), ("deadline", .string(c.record.deadline.description)),
                ("completed_day", day(c.completedDay)), ("state", .string(c.state.rawValue)), ("days_overdue", .int(c.daysOverdue)),
                ("window", .string(c.record.window)),
            ])
        }
        let reviewRows: [JSONValue] = reviews.map { r in
            .object([
                ("kind", .string("bad-review")), ("origin", .string(r.record.origin)), ("origin_name", .string(names[r.record.origin] ?? r.record.origin)),
                ("eval_id", .string(r.record.evalId)), ("item", .string(r.record.item)), ("grade", .string(r.record.grade.rawValue)),
                ("channel", .string(r.record.channel.rawValue)), ("day", .string(r.record.day.description)), ("named", .bool(r.record.named)),
                ("rectify_due", .string(r.rectifyDue.description)), ("rectified_day", day(r.rectifiedDay)), ("revisited_day", day(r.revisitedDay)),
                ("revisit_grade", r.revisitGrade.map { .string($0.rawValue) } ?? .null), ("appeal", r.appeal.map { .string($0.rawValue) } ?? .null),
                ("overdue_unrectified", .bool(r.overdueUnrectified)), ("carried_over", .bool(r.carriedOver)), ("window", .string(r.record.window)),
            ])
        }
        return .array(caseRows + reviewRows)
    }

    /// The header of the overdue cases' CSV.
    public static let caseCSVHeader = ["kind", "origin", "case_no", "item", "department", "accepted_day", "deadline", "completed_day", "state", "days_overdue", "window"]
    /// The header of the 差评 CSV.
    public static let reviewCSVHeader = ["kind", "origin", "eval_id", "item", "grade", "channel", "day", "named", "rectify_due", "rectified_day",
                                         "revisited_day", "revisit_grade", "appeal", "overdue_unrectified", "carried_over", "window"]

    /// One CSV per kind, one after the other when both are asked for (each with its header).
    public func csv(kinds: Set<Kind>) -> String {
        var lines: [String] = []
        func d(_ day: Day?) -> String { day?.description ?? "" }
        if kinds.contains(.overdue) {
            lines.append(CSVWriter.line(Self.caseCSVHeader))
            for c in cases {
                lines.append(CSVWriter.line(["overdue", c.record.origin, c.record.caseNo, c.record.item, c.record.department, c.record.acceptedDay.description,
                                             c.record.deadline.description, d(c.completedDay), c.state.rawValue, String(c.daysOverdue), c.record.window]))
            }
        }
        if kinds.contains(.badReview) {
            if !lines.isEmpty { lines.append("") }
            lines.append(CSVWriter.line(Self.reviewCSVHeader))
            for r in reviews {
                lines.append(CSVWriter.line(["bad-review", r.record.origin, r.record.evalId, r.record.item, r.record.grade.rawValue, r.record.channel.rawValue,
                                             r.record.day.description, r.record.named ? "1" : "0", r.rectifyDue.description, d(r.rectifiedDay), d(r.revisitedDay),
                                             r.revisitGrade?.rawValue ?? "", r.appeal?.rawValue ?? "", r.overdueUnrectified ? "1" : "0", r.carriedOver ? "1" : "0",
                                             r.record.window]))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lists as plain-text tables in Chinese, under the period and the day they stand at.
    public func table(names: [String: String], kinds: Set<Kind>) -> String {
        var out: [String] = []
        let standing = asAt.ended ? "期末 \(asAt.lastDay)" : "截至 \(asAt.lastDay)"
        out.append("统计期 \(asAt.period.from) 至 \(asAt.period.to)    \(standing)")
        if kinds.contains(.overdue) {
            var t = TextTable(headers: ["站点", "窗口", "办件编号", "事项", "部门", "受理日", "承诺办结日", "办结日", "状态", "超期工作日"],
                              alignments: [.left, .left, .left, .left, .left, .left, .left, .left, .left, .right])
            for c in cases {
                t.add([names[c.record.origin] ?? c.record.origin, c.record.window.isEmpty ? "—" : c.record.window, c.record.caseNo, c.record.item, c.record.department, c.record.acceptedDay.description,
                       c.record.deadline.description, c.completedDay?.description ?? "—", c.state == .open ? "超期未办结" : "超期办结", String(c.daysOverdue)])
            }
            out += ["", "超期办件（\(openOverdue.count) 件期末超期未办结，\(cases.count - openOverdue.count) 件本期超期办结）", t.render(indent: "  ")]
        }
        if kinds.contains(.badReview) {
            var t = TextTable(headers: ["站点", "窗口", "评价编号", "事项", "评价", "评价日", "实名", "整改时限", "整改", "回访", "申诉"],
                              alignments: Array(repeating: .left, count: 11))
            for r in reviews {
                t.add([names[r.record.origin] ?? r.record.origin, r.record.window.isEmpty ? "—" : r.record.window, r.record.evalId + (r.carriedOver ? "（上期结转）" : ""), r.record.item, r.record.grade.rawValue,
                       r.record.day.description, r.record.named ? "实名" : "匿名", r.rectifyDue.description,
                       r.rectifiedDay?.description ?? (r.overdueUnrectified ? "超期未整改" : "未整改"),
                       r.revisitedDay.map { "\($0) \(r.revisitGrade?.rawValue ?? "")" } ?? "未回访", r.appeal?.label ?? "—"])
            }
            out += ["", "差评（\(reviews.count) 件，其中超期未整改 \(unrectifiedOverdue.count) 件）", t.render(indent: "  ")]
        }
        return out.joined(separator: "\n") + "\n"
    }
}
