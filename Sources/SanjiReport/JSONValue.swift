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
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let close = pretty ? String(repeating: "  ", count: indent) : ""
        let nl = pretty ? "\n" : ""
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return JSONValue.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[" + nl + items.map { pad + $0.render(pretty: pretty, indent: indent + 1) }.joined(separator: "," + nl) + nl + close + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            let sep = pretty ? ": " : ":"
            return "{" + nl + pairs.map { pad + JSONValue.quote($0.0) + sep + $0.1.render(pretty: pretty, indent: indent + 1) }
                .joined(separator: "," + nl) + nl + close + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
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
        return out + "\""
    }
}
