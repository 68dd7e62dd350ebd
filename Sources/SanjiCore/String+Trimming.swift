extension String {
    /// Trims ASCII and ideographic spaces, tabs, line ends and a stray BOM (what spreadsheets
    /// leave around a cell). Returns the text as is when there is nothing to trim (the hot path
    /// of every import).
    public var trimmingSpaces: String {
        let u = utf8
        guard let first = u.first, let last = u.last else { return "" }
        // Spaces are ASCII, U+3000 (E3 80 80) or U+FEFF (EF BB BF): check the edge bytes first.
        let edgeFirst = first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D || first == 0xE3 || first == 0xEF
        let edgeLast = last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D || last == 0x80 || last == 0xBF
        if !edgeFirst, !edgeLast { return String(self) }
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" || s == "\u{3000}" || s == "\u{FEFF}" }
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(self[start..<end])
    }
}

extension Substring {
    /// `String.trimmingSpaces` of this part of a string.
    public var trimmingSpaces: String { String(self).trimmingSpaces }
}
