import Foundation
import SanjiCore

/// The 通报 as one self-contained HTML page: inline CSS (A4 print rules) and SVG charts, no network.
extension MonthlyReport {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Horizontal bars, one per township, labelled with the exact figure.
    static func bars(_ title: String, _ rows: [(String, Double, String)], maxValue: Double, minValue: Double = 0, color: String) -> String {
        let rowHeight = 26, labelWidth = 190, barWidth = 360, height = 34 + rows.count * rowHeight
        var svg = "<figure><figcaption>\(escape(title))</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"620\" height=\"\(height)\" role=\"img\" aria-label=\"\(escape(title))\">"
        for (i, (label, value, text)) in rows.enumerated() {
            let y = 10 + i * rowHeight
            let w = maxValue > minValue ? Int(Double(barWidth) * max(0, value - minValue) / (maxValue - minValue)) : 0
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(w)\" height=\"18\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 15)\">\(escape(text))</text>"
        }
        return svg + "</svg></figure>"
    }

    /// The 通报 as one HTML page: the Markdown's text and tables, with bar charts of the townships.
    public func html(zone: ZoneRule) -> String {
        // Tables come from the Markdown, so the two never say different things.
        var body = ""
        var inTable = false
        var header = true
        for line in markdown(zone: zone).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("|") {
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ $0.hasPrefix("---") || $0.hasPrefix("--:") || $0.hasSuffix("-:") }) { continue }
                if !inTable { body += "<table>"; inTable = true; header = true }
                let tag = header ? "th" : "td"
                body += "<tr>" + cells.enumerated().map { "<\(tag)\($0.offset > 0 ? " class=\"n\"" : "")>\(Self.escape($0.element))</\(tag)>" }.joined() + "</tr>"
                header = false
                continue
            }
            if inTable { body += "</table>"; inTable = false }
            if line.hasPrefix("# ") { body += "<h1>\(Self.escape(String(line.dropFirst(2))))</h1>" }
            else if line.hasPrefix("## ") {
                let h = String(line.dropFirst(3))
                body += "<h2>\(Self.escape(h))</h2>"
                if h.hasPrefix("三、") { body += charts() }
            } else if line.hasPrefix("- ") { body += "<p class=\"item\">\(Self.escape(String(line.dropFirst(2))))</p>" }
            else if !line.isEmpty { body += "<p>\(Self.escape(line))</p>" }
        }
        if inTable { body += "</table>" }
        return """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>
            @page { size: A4; margin: 18mm 16mm; }
            body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
                   font-size: 10.5pt; color: #1a1a1a; max-width: 180mm; margin: 0 auto; }
            h1 { font-size: 17pt; text-align: center; margin: 0 0 6pt; }
            h2 { font-size: 12.5pt; border-left: 4pt solid #b22222; padding-left: 6pt; margin: 14pt 0 6pt; break-after: avoid; }
            table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; break-inside: avoid; }
            th, td { border: 0.5pt solid #999; padding: 2.5pt 5pt; }
            th { background: #f2f2f2; font-weight: 600; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            figure { margin: 6pt 0; break-inside: avoid; } figcaption { font-weight: 600; margin-bottom: 2pt; }
            svg text { font-size: 9pt; font-family: inherit; }
            p.item { margin: 2pt 0 2pt 12pt; }
            </style></head><body>
            \(body)
            </body></html>

            """
    }

    func charts() -> String {
        let accepted = townships.map { ($0.name, Double($0.figures.accepted), NumberText.thousands($0.figures.accepted)) }
        let satisfaction = townships.map { ($0.name, ($0.figures.satisfactionRate.value ?? 0) * 100, $0.figures.satisfactionRate.percentText(rounding)) }
        // Satisfaction sits between 95 % and 100 % almost everywhere: a full axis would hide every difference.
        let floor = min(90, (satisfaction.map(\.1).min() ?? 90).rounded(.down))
        return Self.bars("各乡镇办件量（含所辖村（社区））", accepted, maxValue: accepted.map(\.1).max() ?? 0, color: "#3b6ea5")
            + Self.bars("各乡镇满意率（横轴自 \(Int(floor))% 起）", satisfaction, maxValue: 100, minValue: floor, color: "#2e8b57")
    }
}
