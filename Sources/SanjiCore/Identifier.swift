import Foundation

/// Case numbers, evaluation ids and item codes in one canonical form, so that what a person
/// cannot see cannot make a second case: NFKC (full-width `Ｂ100` is `B100`), no zero-width
/// characters, no spaces at either end. Control characters, and numbers Excel turned into
/// scientific notation (`2.02611E+09`, the real number lost), are refused with the reason.
public enum Identifier {
    /// Invisible characters removed wherever they stand (they are Unicode "format" characters
    /// that spreadsheets and web forms leave behind).
    static let zeroWidth: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E, 0x00AD]

    /// The canonical form of `text`, or why it cannot be an identifier. An empty result is the
    /// caller's to judge (a required field says "is empty").
    public static func canonical(_ text: String) -> Result<String, Refusal> {
        let bytes = text.utf8
        // The hot path of every import: printable ASCII without spaces is already canonical.
        if bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return looksScientific(text) ? .failure(Refusal(scientificMessage(text))) : .success(text)
        }
        var scalars = String.UnicodeScalarView()
        for (i, s) in text.precomposedStringWithCompatibilityMapping.unicodeScalars.enumerated() {
            if zeroWidth.contains(s.value) { continue }
            switch s.properties.generalCategory {
            case .control:
                return .failure(Refusal("holds a control character (U+\(hex(s.value)) at position \(i + 1)); check the export, the value was damaged"))
            case .format:
                return .failure(Refusal("holds an invisible formatting character (U+\(hex(s.value)) at position \(i + 1)); retype the value"))
            default:
                scalars.append(s)
            }
        }
        var result = String(scalars)
        // Every Unicode space at either end (NBSP, ideographic space …), not only ASCII ones.
        while let first = result.unicodeScalars.first, first.properties.isWhitespace { result.unicodeScalars.removeFirst() }
        while let last = result.unicodeScalars.last, last.properties.isWhitespace { result.unicodeScalars.removeLast() }
        return looksScientific(result) ? .failure(Refusal(scientificMessage(result))) : .success(result)
    }

    /// `2.02611E+09`, `1E5`, `-3.1e-2`: what a spreadsheet shows for a long number it took for one.
    static func looksScientific(_ s: String) -> Bool {
        var u = Array(s.utf8)[...]
        guard let e = u.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) else { return false }
        var mantissa = u[..<e], exponent = u[(e + 1)...]
        if mantissa.first == UInt8(ascii: "+") || mantissa.first == UInt8(ascii: "-") { mantissa = mantissa.dropFirst() }
        if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
        func digits(_ d: ArraySlice<UInt8>) -> Bool { !d.isEmpty && d.allSatisfy { $0 >= 48 && $0 <= 57 } }
        let parts = mantissa.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2, digits(parts[0]), parts.count == 1 || digits(parts[1]) else { return false }
        u = exponent
        return digits(u)
    }

    static func scientificMessage(_ s: String) -> String {
        "\"\(s)\" is a number a spreadsheet wrote in scientific notation; its real digits are lost. "
            + "Format the column as text (文本) in Excel and export again"
    }

    static func hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
