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
    /// How many problems a rejection keeps, in file order (the rest are counted): a file where
    /// every one of five million rows is wrong must not hold five million messages.
    public var keptProblems = 1_000

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
    /// The problems found, with line and field: every one, or the first `ImportOptions.keptProblems`.
    public let issues: [RowIssue]
    /// How many problems there were in all (more than `issues.count` when some were only counted).
    public let total: Int
    /// How many rows had a problem.
    public let rows: Int

    /// A rejection of `file` for `issues`, all of them kept.
    public init(file: String, issues: [RowIssue]) {
        self.init(file: file, issues: issues, total: issues.count, rows: Set(issues.map(\.line)).count)
    }

    /// A rejection that kept `issues` of `total` problems in `rows` rows.
    public init(file: String, issues: [RowIssue], total: Int, rows: Int) {
        self.file = file
        self.issues = issues
        self.total = total
        self.rows = rows
    }

    /// One line: the file, and how many problems in how many rows (the issues are listed apart).
    public var description: String {
        "\(file): rejected, nothing was imported: \(NumberText.thousands(total)) problem\(total == 1 ? "" : "s") in \(NumberText.thousands(rows)) row\(rows == 1 ? "" : "s")"
    }
}

/// How far an import has come, for progress displays.
public struct ImportProgressReport: Sendable {
    /// Data rows read so far.
    public var rows: Int
    /// Bytes of the file read so far (of its UTF-8 text, after any conversion).
    public var bytesRead: Int
    /// The file's size in the same bytes.
    public var totalBytes: Int
    /// Problems found so far: the file will be rejected when this is not 0.
    public var problems: Int
}

/// Called every few thousand rows, and once at the end.
public typealias ImportProgress = @Sendable (ImportProgressReport) -> Void

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
        try importConsultations(name: name, input: InputBytes(bytes), options: options, progress: progress)
    }

    /// The same from an input that may be a mapped file (`InputBytes.mapping`): memory stays flat.
    public func importConsultations(name: String, input: InputBytes, options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, input, Self.consultColumns, options)
        let now = options.now ?? clock.now
        let stem = String(name.split(separator: "/").last ?? Substring(name))
        return try runImport(file, now: now, options: options, progress: progress, parse: { parser, record, problems in
            parser.parseConsultation({ file.value(record, $0) }, makeId: { "\(stem):\(record.line)" }, problems: &problems)
        }) { intake, _, c, line, report, problems, seen in
            guard try seen.firstTime(c.consultId, record: c, line: line, field: "consult_id", report: &report, problems: &problems) else { return }
            report.count(try intake.put(c))
        }
    }

    /// Imports cases.csv: all or nothing, idempotent. A later export of the same case updates it.
    public func importCases(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        try importCases(name: name, input: InputBytes(bytes), options: options, progress: progress)
    }

    /// The same from an input that may be a mapped file (`InputBytes.mapping`): memory stays flat.
    public func importCases(name: String, input: InputBytes, options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, input, Self.caseColumns, options)
        let now = options.now ?? clock.now
        return try runImport(file, now: now, options: options, progress: progress, parse: { parser, record, problems in
            parser.parseCase({ file.value(record, $0) }, problems: &problems).map { ParsedCase(record: $0.0, item: $0.1) }
        }) { intake, _, parsed, line, report, problems, seen in
            let (c, item) = (parsed.record, parsed.item)
            // Within one file the same case must read the same every time it appears.
            guard try seen.firstTime(c.caseNo, record: c, line: line, field: "case_no", report: &report, problems: &problems) else { return }
            switch try intake.put(c, item: item) {
            case .success(let r): report.count(r)
            case .failure(let f): problems.append((f.field, f.message))
            }
        }
    }

    /// Imports evals.csv: all or nothing, idempotent; 整改 and 回访 in a later export update it.
    public func importEvaluations(name: String, bytes: [UInt8], options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        try importEvaluations(name: name, input: InputBytes(bytes), options: options, progress: progress)
    }

    /// The same from an input that may be a mapped file (`InputBytes.mapping`): memory stays flat.
    public func importEvaluations(name: String, input: InputBytes, options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let file = try Self.open(name, input, Self.evalColumns, options)
        let now = options.now ?? clock.now
        // An evaluation is read against the store (its case, an earlier 整改): only the CSV is read ahead.
        return try runImport(file, now: now, options: options, progress: progress, parse: { _, record, _ in record }) { intake, parser, record, line, report, problems, seen in
            guard let e = try parser.parseEvaluation({ file.value(record, $0) }, caseLookup: { try intake.cases.fetch($0) },
                                                     existingRectified: { (try? intake.evaluations.fetch($0))??.rectifiedAt != nil }, problems: &problems)
            else { return }
            guard try seen.firstTime(e.evalId, record: e, line: line, field: "eval_id", report: &report, problems: &problems) else { return }
            switch try intake.put(e) {
            case .success(let r): report.count(r)
            case .failure(let f): problems.append((f.field, f.message))
            }
        }
    }

    static func open(_ name: String, _ input: InputBytes, _ columns: (required: [String], optional: [String]), _ options: ImportOptions) throws -> CSVFile {
        do {
            return try CSVFile(name: name, input: input, encoding: options.encoding, required: columns.required,
                               optional: columns.optional, ignoreExtra: options.ignoreExtra)
        } catch {
            throw ImportRejected(file: name, issues: error.issues)
        }
    }

    /// Runs every record through `parse` and then `apply`, in one write transaction; rolls it back
    /// if any row had a problem. `parse` reads a row without the store and runs on a thread of
    /// its own, a few thousand rows ahead of `apply`, which writes: on two cores the reading and
    /// the writing overlap. Memory stays flat: the file is read front to back (mapped pages handed
    /// back behind the reader), at most `RowPipe.depth` batches wait between the two, the keys
    /// already seen wait in a temporary table, and a rejection keeps the first `keptProblems`
    /// problems and counts the rest.
    func runImport<P: Sendable>(
        _ file: CSVFile, now: Timestamp, options: ImportOptions, progress: ImportProgress?,
        parse: @escaping @Sendable (RowParser, CSVReader.Record, inout [RowParser.Problem]) -> P?,
        apply: (Intake, RowParser, P, Int, inout ImportReport, inout [RowParser.Problem], ImportSeen) throws -> Void
    ) throws -> ImportReport {
        try write { db in
            // An import appends in key order and meets each page about once: a small page cache
            // serves it as well as the writer's 64 MiB, which would be most of its memory.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.importCacheKiB)")
            defer { try? db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)") }
            let intake = try Intake(db, store: self, now: now)
            let parser = intake.parser(now: now, gradeCodes: options.gradeCodes, excelDates: options.excelDates)
            let seen = try ImportSeen(db)
            defer { seen.drop() }
            var report = ImportReport()
            report.encoding = file.encoding
            var issues = IssueList(file: file.name, keep: options.keptProblems)
            var problems: [RowParser.Problem] = []
            let pipe = RowPipe<P>()
            pipe.start(file: file, parser: parser, parse: parse)
            defer { pipe.stop() }
            var bytesRead = 0
            func tell() {
                progress?(ImportProgressReport(rows: report.rows, bytesRead: bytesRead, totalBytes: file.byteCount, problems: issues.total))
            }
            while let batch = pipe.next() {
                for row in batch.rows {
                    if let extra = row.extra { issues.append(extra) }
                    problems = row.problems
                    if let value = row.value { try apply(intake, parser, value, row.line, &report, &problems, seen) }
                    for p in problems { issues.append(line: row.line, p) }
                    report.rows += 1
                    if report.rows % 10_000 == 0 { tell() }
                }
                bytesRead = batch.bytesRead
            }
            if let syntax = pipe.syntaxIssue { issues.append(syntax) }
            tell()
            guard issues.total == 0 else { throw issues.rejection }
            report.summaryRows = try intake.finish()
            return report
        }
    }
}

/// A case as its row reads, with its catalogue item.
struct ParsedCase: Sendable {
    let record: CaseRecord
    let item: CatalogItem
}

/// The rows of a file read and parsed on a thread of its own, handed over in batches to the
/// thread that writes them. Bounded: the reader waits while `depth` batches wait.
final class RowPipe<P: Sendable>: @unchecked Sendable {
    /// One row: its line, what `parse` made of it (nil when it had problems), its problems, and
    /// the problem of a value outside every column.
    struct Row {
        let line: Int
        let value: P?
        let problems: [RowParser.Problem]
        let extra: RowIssue?
    }

    /// Rows in file order, and how far into the file they reach.
    struct Batch {
        var rows: [Row] = []
        var bytesRead = 0
    }

    static var depth: Int { 4 }
    static var batchSize: Int { 1_000 }

    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var finished = false
    private var cancelled = false
    private var running = false
    /// The CSV syntax error that ended the file, if one did.
    private(set) var syntaxIssue: RowIssue?

    /// Starts reading `file` on a thread of its own.
    func start(file: CSVFile, parser: RowParser, parse: @escaping @Sendable (RowParser, CSVReader.Record, inout [RowParser.Problem]) -> P?) {
        running = true
        let thread = Thread { [self] in
            var records = file.records()
            var batch = Batch()
            batch.rows.reserveCapacity(Self.batchSize)
            while let record = records.next() {
                var problems: [RowParser.Problem] = []
                let value = parse(parser, record, &problems)
                batch.rows.append(Row(line: record.line, value: problems.isEmpty ? value : nil, problems: problems, extra: file.extraFields(record)))
                if batch.rows.count == Self.batchSize {
                    batch.bytesRead = records.bytesRead
                    guard hand(batch) else { return finish(nil) }
                    batch = Batch()
                    batch.rows.reserveCapacity(Self.batchSize)
                }
            }
            batch.bytesRead = records.bytesRead
            if !batch.rows.isEmpty { _ = hand(batch) }
            finish(records.syntaxIssue)
        }
        thread.name = "sanji-import-reader"
        thread.start()
    }

    /// Waits for room and hands a batch over; false when the writer stopped listening.
    private func hand(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.depth, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    private func finish(_ syntax: RowIssue?) {
        condition.lock()
        syntaxIssue = syntax
        finished = true
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch in file order; nil after the last.
    func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Tells the reader to stop and waits until it has (the writer failed, or read everything).
    func stop() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }
}

/// The problems of one import: the first `keep` in full, the rest counted.
struct IssueList {
    let file: String
    let keep: Int
    private(set) var kept: [RowIssue] = []
    private(set) var total = 0
    private(set) var rows = 0
    private var lastLine = 0

    init(file: String, keep: Int) {
        self.file = file
        self.keep = max(keep, 1)
    }

    mutating func append(line: Int, _ problem: RowParser.Problem) {
        append(RowIssue(file: file, line: line, field: problem.field, message: problem.message))
    }

    mutating func append(_ issue: RowIssue) {
        total += 1
        if issue.line != lastLine {
            rows += 1
            lastLine = issue.line
        }
        if kept.count < keep { kept.append(issue) }
    }

    var rejection: ImportRejected { ImportRejected(file: file, issues: kept, total: total, rows: rows) }
}

/// The keys an import has met so far, each with the line it first appeared on and its record's
/// hash, in a temporary table: a file of five million rows holds five million keys, which a
/// dictionary would hold in memory. A key met again must bring the same record (the hashes are
/// compared; they are of the whole record, and a wrong match needs a 64-bit collision).
final class ImportSeen {
    private let db: Database
    private let insert: RawStatement
    private let select: RawStatement

    init(_ db: Database) throws {
        self.db = db
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS import_seen (key TEXT PRIMARY KEY NOT NULL, line INTEGER NOT NULL, hash INTEGER NOT NULL) WITHOUT ROWID;
            DELETE FROM temp.import_seen;
            """)
        insert = try RawStatement(db, "INSERT INTO temp.import_seen (key, line, hash) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING")
        select = try RawStatement(db, "SELECT line, hash FROM temp.import_seen WHERE key = ?")
    }

    /// True the first time `key` appears; after that false, counting a repeat of the same record as
    /// unchanged and a different one as a problem naming the line it first appeared on.
    func firstTime<R: Hashable>(_ key: String, record: R, line: Int, field: String, report: inout ImportReport,
                                problems: inout [RowParser.Problem]) throws -> Bool {
        insert.bind(1, key)
        insert.bind(2, Int64(line))
        insert.bind(3, Int64(record.hashValue))
        if try insert.run() == 1 { return true }
        select.bind(1, key)
        guard let first = try select.first({ (line: $0.int(0) ?? 0, hash: $0.int(1) ?? 0) }) else { return true }
        if first.hash == Int64(record.hashValue) {
            report.unchanged += 1
        } else {
            problems.append((field, "\(key) appears again (first at line \(first.line)) with different content"))
        }
        return false
    }

    /// Empties the table (the transaction may be rolled back, and the connection is the store's).
    func drop() {
        try? db.execute(sql: "DELETE FROM temp.import_seen")
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
