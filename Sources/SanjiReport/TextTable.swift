import Foundation
import SanjiCore

/// Plain-text tables for people: columns line up by display width (a CJK character takes two
/// cells), numbers are right-aligned.
public struct TextTable: Sendable {
    /// How a column's cells sit: left for text, right for numbers.
    public enum Alignment: Sendable { case left, right }

    /// The column headers.
    public var headers: [String]
    /// One alignment per column.
    public var alignments: [Alignment]
    /// The data rows, one cell per column.
    public var rows: [[String]] = []
    /// Row indexes after which a rule is drawn (e.g. before a total row).
    public var rulesBefore: Set<Int> = []

    /// An empty table; `headers` and `alignments` must have the same count.
    public init(headers: [String], alignments: [Alignment]) {
        precondition(headers.count == alignments.count)
        self.headers = headers
        self.alignments = alignments
    }

    /// Appends a row; it must have one cell per column.
    public mutating func add(_ row: [String]) {
        precondition(row.count == headers.count)
        rows.append(row)
    }

    /// Draws a rule before the next row added (e.g. before a total row).
    public mutating func addRule() { rulesBefore.insert(rows.count) }

    /// The table as text: headers, a rule, then the rows, each line starting with `indent`.
    public func render(indent: String = "") -> String {
        var widths = headers.map(DisplayWidth.of)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - DisplayWidth.of(cell))
                parts.append(alignments[i] == .right ? pad + cell : (i == cells.count - 1 ? cell : cell + pad))
            }
            return indent + parts.joined(separator: "  ")
        }
        let rule = indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        var out = [line(headers), rule]
        for (i, row) in rows.enumerated() {
            if rulesBefore.contains(i) { out.append(rule) }
            out.append(line(row))
        }
        return out.joined(separator: "\n")
    }
}

/// Terminal display width by East Asian Width: wide and fullwidth characters take two cells,
/// combining marks none.
public enum DisplayWidth {
    /// Cells a string takes: the sum of its scalars' widths.
    public static func of(_ s: String) -> Int {
        var w = 0
        for scalar in s.unicodeScalars { w += of(scalar) }
        return w
    }

    /// Cells a scalar takes: 2 for CJK, Hangul, fullwidth forms and emoji; 0 for combining marks and
    /// zero-width characters; 1 otherwise.
    public static func of(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 || (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFE0F { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x20000...0x3FFFD).contains(v)
        { return 2 }
        return 1
    }
}
