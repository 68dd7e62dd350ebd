import Foundation

/// CSV as RFC 4180 writes it: a field with a comma, quote or line end is quoted, quotes doubled.
public enum CSVWriter {
    /// One field, quoted if it must be.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One line of fields (without its line end).
    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") }
}
