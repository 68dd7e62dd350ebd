import Foundation
import SanjiCore

/// A JSON value with ordered keys and deterministic output, so that machine formats are stable
/// and diffable.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Equal when they render the same: objects compare with their key order.
    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render() == b.render() }

    /// A rate as its full fraction; `null` when nothing was counted.
    public static func ratio(_ r: Ratio) -> JSONValue { r.value.map(JSONValue.double) ?? .null }

    /// The value as JSON text: indented two spaces a level when `pretty`, on one line otherwise.
    public func render(pretty: Bool = true, indent: Int = 0) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: indent)
        return out
    }

    /// Appends the text to `out`: one buffer for the whole document (joining each level's
    /// rendered children copied every row once per level above it).
    func write(to out: inout String, pretty: Bool, indent: Int) {
        func newline(_ level: Int) {
            guard pretty else { return }
            out += "\n"
            for _ in 0..<level { out += "  " }
        }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(indent + 1)
                item.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            newline(indent)
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += "," }
                newline(indent + 1)
                JSONValue.quote(pair.0, into: &out)
                out += pretty ? ": " : ":"
                pair.1.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            newline(indent)
            out += "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most strings need no escape: appended whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
