/// A CSV file users bring, decoded and with its header checked against a contract: the
/// header names are the contract, column order is free, extra columns are an error unless
/// the caller allows them.
public struct CSVFile: Sendable {
    /// The file's name as the user gave it, for `file:line` in issues.
    public let name: String
    /// The encoding the bytes were read in (the detected one when `.auto` was asked for).
    public let encoding: TextEncoding
    /// Column index by header name.
    public let columns: [String: Int]
    /// The same as a short list: a linear scan over ten names beats hashing on the hot path.
    private let columnList: [(name: String, index: Int)]
    private let input: InputBytes
    /// Fields in the header: a row with a value beyond them is refused, not cut.
    public let headerCount: Int

    /// Why a file was refused: every problem found, each with its line and field.
    public struct Rejected: Error, Sendable {
        /// The problems, in the order they were found.
        public let issues: [RowIssue]
    }

    /// Decodes `bytes` and checks the header: every `required` column present, none twice, none outside
    /// `required` and `optional` unless `ignoreExtra`. Header names are trimmed and lowercased.
    public init(
        name: String, bytes: [UInt8], encoding: TextEncoding = .auto,
        required: [String], optional: [String] = [], ignoreExtra: Bool = false
    ) throws(Rejected) {
        try self.init(name: name, input: InputBytes(bytes), encoding: encoding, required: required, optional: optional, ignoreExtra: ignoreExtra)
    }

    /// The same over an input that may be a mapped file: a first pass checks (or converts) its
    /// encoding, and the records are read in a second, each pass handing pages back as it goes.
    public init(
        name: String, input: InputBytes, encoding: TextEncoding = .auto,
        required: [String], optional: [String] = [], ignoreExtra: Bool = false
    ) throws(Rejected) {
        self.name = name
        do {
            (self.input, self.encoding) = try TextDecoder.utf8(from: input, encoding: encoding)
        } catch {
            throw Rejected(issues: [RowIssue(file: name, line: error.line, field: "encoding", message: error.message)])
        }
        var reader = CSVReader(input: self.input)
        guard let header = reader.next() else {
            let message = reader.error?.message ?? "the file is empty; expected a header line: \(required.joined(separator: ","))"
            throw Rejected(issues: [RowIssue(file: name, line: reader.error?.line ?? 1, field: "header", message: message)])
        }
        var columns: [String: Int] = [:]
        var issues: [RowIssue] = []
        let known = Set(required + optional)
        for (i, raw) in header.fields.enumerated() {
            let key = raw.trimmingSpaces.lowercased()
            if key.isEmpty, ignoreExtra { continue }
            if columns[key] != nil {
                issues.append(RowIssue(file: name, line: header.line, field: key, message: "the column appears twice in the header"))
            } else if known.contains(key) {
                columns[key] = i
            } else if !ignoreExtra {
                let near = Suggestions.closest(to: key, in: known, limit: 1)
                let hint = near.first.map { " (did you mean \"\($0)\"?)" } ?? ""
                issues.append(RowIssue(
                    file: name, line: header.line, field: key.isEmpty ? "column \(i + 1)" : key,
                    message: "unknown column\(hint); expected \(required.joined(separator: ",")), or pass --ignore-extra to skip extra columns"))
            }
        }
        for key in required where columns[key] == nil {
            issues.append(RowIssue(file: name, line: header.line, field: key, message: "required column is missing from the header"))
        }
        guard issues.isEmpty else { throw Rejected(issues: issues) }
        self.columns = columns
        columnList = columns.map { ($0.key, $0.value) }
        headerCount = header.fields.count
    }

    /// The data records after the header. A syntax error ends the sequence and is reported
    /// through `syntaxError` as a row issue.
    public func records() -> Records { Records(file: self) }

    /// The data records of a file, read one at a time.
    public struct Records: Sequence, IteratorProtocol {
        var reader: CSVReader
        let name: String
        let input: InputBytes

        init(file: CSVFile) {
            reader = CSVReader(input: file.input)
            name = file.name
            input = file.input
            _ = reader.next()
        }

        /// How many bytes of the (UTF-8) file have been read: progress, beside `CSVFile.byteCount`.
        public var bytesRead: Int { reader.position }

        /// The next record with anything in it: a row of empty cells (`,,,`, what Excel writes
        /// for a blank row inside a sheet) is passed over.
        public mutating func next() -> CSVReader.Record? {
            while let record = reader.next() {
                input.release(before: reader.position)
                if record.fields.contains(where: { !$0.trimmingSpaces.isEmpty }) { return record }
            }
            return nil
        }

        /// The CSV syntax error that ended the records, as a row issue; nil if they ran to the end.
        public var syntaxIssue: RowIssue? {
            reader.error.map { RowIssue(file: name, line: $0.line, field: "csv", message: $0.message) }
        }
    }

    /// The trimmed value of `column` in a record; empty when the row is short.
    @inline(__always)
    public func value(_ record: CSVReader.Record, _ column: String) -> String {
        var index = -1
        for c in columnList where c.name == column {
            index = c.index
            break
        }
        guard index >= 0, index < record.fields.count else { return "" }
        return record.fields[index].trimmingSpaces
    }

    /// The problem with a row that has a value in no column (more fields than the header), which
    /// would otherwise be dropped without a word; nil when the extra cells are empty.
    public func extraFields(_ record: CSVReader.Record) -> RowIssue? {
        guard record.fields.count > headerCount,
              let extra = record.fields[headerCount...].firstIndex(where: { !$0.trimmingSpaces.isEmpty }) else { return nil }
        return RowIssue(file: name, line: record.line, field: "column \(extra + 1)",
                        message: "the row has \(record.fields.count) fields but the header has \(headerCount); \"\(record.fields[extra].trimmingSpaces)\" is in no column (a comma inside a value must be quoted)")
    }

    /// Bytes counted for progress reports.
    public var byteCount: Int { input.count }
}
