import Foundation
import GRDB
import SanjiCore

public struct ImportOptions: Sendable {
    public var encoding: TextEncoding = .auto
    public var ignoreExtra = false
    public var gradeCodes: Grade.Codes?
    /// Read plain numbers in time columns as Excel date serials.
    public var excelDates = false
    public var now: Timestamp = .now()

    public init(encoding: TextEncoding = .auto, ignoreExtra: Bool = false, gradeCodes: Grade.Codes? = nil, excelDates: Bool = false, now: Timestamp = .now()) {
        self.encoding = encoding
        self.ignoreExtra = ignoreExtra
        self.gradeCodes = gradeCodes
        self.excelDates = excelDates
        self.now = now
    }
}

public struct ImportReport: Sendable, Equatable {
    public var rows = 0
    public var new = 0
    public var updated = 0
    public var unchanged = 0
    /// Summary rows written (cases and evaluations), or catalogue rows changed.
    public var summaryRows = 0
    /// The catalogue sequence after a catalogue or calendar import.
    public var sequence: Int?
    /// Catalogue items held but absent from the file (left as they are).
    public var notInFile = 0
    public var encoding: TextEncoding = .utf8

    public init() {}
}

/// A file rejected as a whole: nothing was written.
public struct ImportRejected: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let issues: [RowIssue]

    public init(file: String, issues: [RowIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        let rows = Set(issues.map(\.line)).count
        return "\(file): rejected, nothing was imported: \(issues.count) problem\(issues.count == 1 ? "" : "s") in \(rows) row\(rows == 1 ? "" : "s")"
    }
}

/// Rows read so far, for progress displays.
public typealias ImportProgress = @Sendable (_ rows: Int) -> Void

extension NodeStore {
    static let caseColumns = (required: ["case_no", "item_code", "accepted_at", "channel"],
                              optional: ["completed_at", "outcome", "visits", "assisted", "applicant_name", "applicant_id"])
    static let evalColumns = (required: ["eval_id", "grade", "channel", "evaluated_at"],
                              optional: ["case_no", "rectified_at", "revisited_at", "revisit_grade", "named"])

    /// Imports cases.csv: all or nothing, idempotent. A later export of the same case updates it.
    public func importCases(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, bytes, Self.caseColumns, options)
        return try runImport(file, now: options.now, progress: progress) { intake, record, report, problems, seen in
            let parser = intake.parser(now: options.now, excelDates: options.excelDates)
            guard let (c, item) = parser.parseCase({ file.value(record, $0) }, problems: &problems) else { return }
            if let first = seen[c.caseNo] {
                // Within one file the same case must read the same every time it appears.
                if first.hash == c.hashValue { report.unchanged += 1 } else {
                    problems.append(("case_no", "\(c.caseNo) appears again (first at line \(first.line)) with different content"))
                }
                return
            }
            seen[c.caseNo] = (record.line, c.hashValue)
            switch try intake.put(c, item: item) {
            case .success(let r): report.count(r)
            case .failure(let f): problems.append((f.field, f.message))
            }
        }
    }

    /// Imports evals.csv: all or nothing, idempotent; 整改 and 回访 in a later export update it.
    public func importEvaluations(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, bytes, Self.evalColumns, options)
        return try runImport(file, now: options.now, progress: progress) { intake, record, report, problems, seen in
            let parser = intake.parser(now: options.now, gradeCodes: options.gradeCodes, excelDates: options.excelDates)
            guard let e = try parser.parseEvaluation({ file.value(record, $0) }, caseLookup: { try intake.cases.fetch($0) },
                                                     existingRectified: { (try? intake.evaluations.fetch($0))??.rectifiedAt != nil }, problems: &problems)
            else { return }
            if let first = seen[e.evalId] {
                if first.hash == e.hashValue { report.unchanged += 1 } else {
                    problems.append(("eval_id", "\(e.evalId) appears again (first at line \(first.line)) with different content"))
                }
                return
            }
            seen[e.evalId] = (record.line, e.hashValue)
            switch try intake.put(e) {
            case .success(let r): report.count(r)
            case .failure(let f): problems.append((f.field, f.message))
            }
        }
    }

    static func open(_ name: String, _ bytes: [UInt8], _ columns: (required: [String], optional: [String]), _ options: ImportOptions) throws -> CSVFile {
        do {
            return try CSVFile(name: name, bytes: bytes, encoding: options.encoding, required: columns.required,
                               optional: columns.optional, ignoreExtra: options.ignoreExtra)
        } catch {
            throw ImportRejected(file: name, issues: error.issues)
        }
    }

    /// Runs `handle` for every record in one write transaction; rolls it back if any row had a problem.
    func runImport(
        _ file: CSVFile, now: Timestamp, progress: ImportProgress?,
        handle: (Intake, CSVReader.Record, inout ImportReport, inout [RowParser.Problem], inout [String: (line: Int, hash: Int)]) throws -> Void
    ) throws -> ImportReport {
        try pool.write { db in
            let intake = try Intake(db, store: self, now: now)
            var report = ImportReport()
            report.encoding = file.encoding
            var issues: [RowIssue] = []
            var seen: [String: (line: Int, hash: Int)] = [:]
            var records = file.records()
            var problems: [RowParser.Problem] = []
            while let record = records.next() {
                problems.removeAll(keepingCapacity: true)
                if let extra = file.extraFields(record) { issues.append(extra) }
                try handle(intake, record, &report, &problems, &seen)
                for p in problems { issues.append(RowIssue(file: file.name, line: record.line, field: p.field, message: p.message)) }
                report.rows += 1
                if report.rows % 25_000 == 0 { progress?(report.rows) }
            }
            if let syntax = records.syntaxIssue { issues.append(syntax) }
            guard issues.isEmpty else { throw ImportRejected(file: file.name, issues: issues) }
            report.summaryRows = try intake.finish()
            progress?(report.rows)
            return report
        }
    }
}

extension ImportReport {
    mutating func count(_ r: PutResult) {
        switch r {
        case .new: new += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }
}
