/// An RFC 4180 reader over UTF-8 bytes: commas, `"`-quoted fields with `""` escapes, quoted
/// line breaks, CRLF or LF. Each record carries the physical line it starts on, so errors can
/// name `file:line`.
public struct CSVReader: Sequence, IteratorProtocol {
    /// One record: its fields and the line it starts on.
    public struct Record: Sendable {
        /// 1-based line where the record starts.
        public let line: Int
        /// The field values, unquoted and untrimmed.
        public let fields: [String]
    }

    /// Why the reader stopped: a quote never closed, or text after a closing quote.
    public struct SyntaxError: Error, Equatable, Sendable {
        /// 1-based line of the problem (for a quote never closed, the line its record starts on).
        public let line: Int
        /// What is wrong, in words for the user.
        public let message: String
    }

    private let input: InputBytes
    /// The offset of the next byte to read: how far into the input the reader has come.
    public private(set) var position: Int
    private var line = 1
    /// The syntax error that ended the reading; nil while there is none.
    public private(set) var error: SyntaxError?

    /// `bytes` must be UTF-8 (see `TextDecoder`); a leading BOM is skipped.
    public init(bytes: [UInt8]) {
        self.init(input: InputBytes(bytes))
    }

    /// A reader over `input`, which must be UTF-8; a leading BOM is skipped.
    public init(input: InputBytes) {
        self.input = input
        position = input.buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record, or nil at the end or at a syntax error (then `error` is set).
    public mutating func next() -> Record? {
        guard error == nil else { return nil }
        let buf = input.buffer
        let n = buf.count
        // Skip blank lines between records.
        while position < n, buf[position] == 0x0A || buf[position] == 0x0D {
            if buf[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < n else { return nil }
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(12)
        do {
            while true {
                if position < n, buf[position] == 0x22 {
                    // Quoted field.
                    position += 1
                    var value: [UInt8] = []
                    var closed = false
                    while position < n {
                        let c = buf[position]
                        if c == 0x22 {
                            if position + 1 < n, buf[position + 1] == 0x22 {
                                value.append(0x22)
                                position += 2
                                continue
                            }
                            position += 1
                            closed = true
                            break
                        }
                        if c == 0x0A { line += 1 }
                        value.append(c)
                        position += 1
                    }
                    guard closed else {
                        error = SyntaxError(line: startLine, message: "a quoted field is never closed (missing \")")
                        return nil
                    }
                    fields.append(String(decoding: value, as: UTF8.self))
                    if position < n, buf[position] != 0x2C, buf[position] != 0x0A, buf[position] != 0x0D {
                        error = SyntaxError(line: line, message: "unexpected text after a closing quote")
                        return nil
                    }
                } else {
                    let start = position
                    while position < n {
                        let c = buf[position]
                        if c == 0x2C || c == 0x0A || c == 0x0D { break }
                        position += 1
                    }
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<position]), as: UTF8.self))
                }
                if position >= n { break }
                let c = buf[position]
                if c == 0x2C {
                    position += 1
                    if position >= n { fields.append(""); break }
                    continue
                }
                // End of record: CR, LF or CRLF.
                if c == 0x0D { position += 1 }
                if position < n, buf[position] == 0x0A {
                    position += 1
                }
                line += 1
                break
            }
            return Record(line: startLine, fields: fields)
        }
    }
}
