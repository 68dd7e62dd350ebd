import Foundation
import GRDB
import SanjiCore

/// How an import reads its CSV file.
public struct ImportOptions: Sendable {
    /// The file's text encoding; `.auto` tells UTF-8, UTF-16 with a BOM and GB18030 apart.
    public var encoding: TextEncoding = .auto
    /// Skip columns the import does not know (`--ignore-extra`) instead of rejecting the file.
    public var ignoreExtra = false
    /// Which way numeric grades run (`--grade-codes`); nil: a grade written as a number is a problem.
    public var gradeCodes: Grade.Codes?
    /// Read plain numbers in time columns as Excel date serials.
    public var excelDates = false
    /// The time the import runs at (for "in the future" checks); nil: the store's clock.
    public var now: Timestamp?

    /// Options; the defaults detect the encoding and reject unknown columns and numeric grades.
    public init(encoding: TextEncoding = .auto, ignoreExtra: Bool = false, gradeCodes: Grade.Codes? = nil, excelDates: Bool = false, now: Timestamp? = nil) {
        self.encoding = encoding
        self.ignoreExtra = ignoreExtra
        self.gradeCodes = gradeCodes
        self.excelDates = excelDates
        self.now = now
    }
}

/// What an import read and wrote.
public struct ImportReport: Sendable, Equatable {
    /// Data rows read from the file.
    public var rows = 0
    /// Rows that added a record the store did not hold (a case, an evaluation, an item, a calendar day).
    public var new = 0
    /// Rows that changed a record the store held.
    public var updated = 0
    /// Rows that matched what the store held, or repeated an earlier row of the file.
    public var unchanged = 0
    /// Summary rows written (cases and evaluations), or catalogue rows changed.
    public var summaryRows = 0
    /// The catalogue sequence after a catalogue or calendar import.
    public var sequence: Int?
    /// Catalogue items held but absent from the file (left as they are).
    public var notInFile = 0
    /// The encoding the file was read in (the one detected, with `.auto`).
    public var encoding: TextEncoding = .utf8

    /// An empty report: every count 0.
    public init() {}
}

/// A file rejected as a whole: nothing was written.
public struct ImportRejected: Error, CustomStringConvertible, Sendable {
    /// The file's name, as given to the import.
    public let file: String
    /// Every problem found, with its line and field.
    public let issues: [RowIssue]

    /// A rejection of `file` for `issues`.
    public init(file: String, issues: [RowIssue]) {
        self.file = file
        self.issues = issues
    }

    /// One line: the file, and how many problems in how many rows (the issues are listed apart).
    public var description: String {
        let rows = Set(issues.map(\.line)).count
        return "\(file): rejected, nothing was imported: \(issues.count) problem\(issues.count == 1 ? "" : "s") in \(rows) row\(rows == 1 ? "" : "s")"
    }
}

/// Rows read so far, for progress displays.
public typealias ImportProgress = @Sendable (_ rows: Int) -> Void

extension NodeStore {
    static let caseColumns = (required: ["case_no", "item_code", "accepted_at", "channel"],
                              optional: ["completed_at", "outcome", "visits", "assisted", "applicant_name", "applicant_id", "window", "staff", "modes"]
                                + ServiceMode.allCases.map(\.name))
    static let evalColumns = (required: ["eval_id", "grade", "channel", "evaluated_at"],
                              optional: ["case_no", "rectified_at", "revisited_at", "revisit_grade", "named", "window", "staff"])
    static let consultColumns = (required: ["at"], optional: ["consult_id", "item_code", "window", "staff"])

    /// Imports consultations (咨询): all or nothing, idempotent by `consult_id`. A line without an id
    /// gets one from the file's name and line, so that importing the same file twice counts nothing twice.
    public func importConsultations(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, bytes, Self.consultColumns, options)
        let now = options.now ?? clock.now
        let stem = String(name.split(separator: "/").last ?? Substring(name))
        return try runImport(file, now: now, progress: progress) { (intake, record, report: inout ImportReport, problems: inout [RowParser.Problem], seen: inout [String: (line: Int, record: ConsultRecord)]) in
            let parser = intake.parser(now: now, excelDates: options.excelDates)
            guard let c = parser.parseConsultation({ file.value(record, $0) }, makeId: { "\(stem):\(record.line)" }, problems: &problems) else { return }
            if let first = seen[c.consultId] {
                if first.record != c { problems.append(("consult_id", "\(c.consultId) appears again (first at line \(first.line)) with different content")) }
                else { report.unchanged += 1 }
                return
            }
            seen[c.consultId] = (record.line, c)
            report.count(try intake.put(c))
        }
    }

    /// Imports cases.csv: all or nothing, idempotent. A later export of the same case updates it.
    public func importCases(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, bytes, Self.caseColumns, options)
        let now = options.now ?? clock.now
        return try runImport(file, now: now, progress: progress) { (intake, record, report: inout ImportReport, problems: inout [RowParser.Problem], seen: inout [String: (line: Int, record: CaseRecord)]) in
            let parser = intake.parser(now: now, excelDates: options.excelDates)
            guard let (c, item) = parser.parseCase({ file.value(record, $0) }, problems: &problems) else { return }
            if let first = seen[c.caseNo] {
                // Within one file the same case must read the same every time it appears.
                if first.record == c { report.unchanged += 1 } else {
                    problems.append(("case_no", "\(c.caseNo) appears again (first at line \(first.line)) with different content"))
                }
                return
            }
            seen[c.caseNo] = (record.line, c)
            switch try intake.put(c, item: item) {
            case .success(let r): report.count(r)
            case .failure(let f): problems.append((f.field, f.message))
            }
        }
    }

    /// Imports evals.csv: all or nothing, idempotent; 整改 and 回访 in a later export update it.
    public func importEvaluations(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, bytes, Self.evalColumns, options)
        let now = options.now ?? clock.now
        return try runImport(file, now: now, progress: progress) { (intake, record, report: inout ImportReport, problems: inout [RowParser.Problem], seen: inout [String: (line: Int, record: EvaluationRecord)]) in
            let parser = intake.parser(now: now, gradeCodes: options.gradeCodes, excelDates: options.excelDates)
            guard let e = try parser.parseEvaluation({ file.value(record, $0) }, caseLookup: { try intake.cases.fetch($0) },
                                                     existingRectified: { (try? intake.evaluations.fetch($0))??.rectifiedAt != nil }, problems: &problems)
            else { return }
            if let first = seen[e.evalId] {
                if first.record == e { report.unchanged += 1 } else {
                    problems.append(("eval_id", "\(e.evalId) appears again (first at line \(first.line)) with different content"))
                }
                return
            }
            seen[e.evalId] = (record.line, e)
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
    /// `seen`: each key's first line and record in this file, to tell a repeated row from a
    /// conflicting one (records compared whole: equal hashes do not make equal rows).
    func runImport<R: Equatable>(
        _ file: CSVFile, now: Timestamp, progress: ImportProgress?,
        handle: (Intake, CSVReader.Record, inout ImportReport, inout [RowParser.Problem], inout [String: (line: Int, record: R)]) throws -> Void
    ) throws -> ImportReport {
        try write { db in
            let intake = try Intake(db, store: self, now: now)
            var report = ImportReport()
            report.encoding = file.encoding
            var issues: [RowIssue] = []
            var seen: [String: (line: Int, record: R)] = [:]
            seen.reserveCapacity(file.estimatedRecords)
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
