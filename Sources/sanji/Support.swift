import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

/// `--data`: where the node's store lives.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The node's data directory (default: $SANJI_DATA, else ./sanji-data).", valueName: "dir"))
    var data: String?

    var directory: URL {
        let path = data ?? ProcessInfo.processInfo.environment["SANJI_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./sanji-data"
        let url = URL(fileURLWithPath: path)
        // People point at the store's file (sanji.sqlite, or its -wal and -shm) rather than its directory.
        var isDirectory: ObjCBool = false
        if [NodeStore.fileName, NodeStore.fileName + "-wal", NodeStore.fileName + "-shm"].contains(url.lastPathComponent),
           FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return url.deletingLastPathComponent()
        }
        return url
    }

    func open(busyTimeout: TimeInterval = 10, allowRetired: Bool = false) throws -> NodeStore {
        Console.dataDirectory = directory
        let store = try NodeStore.open(in: directory, busyTimeout: busyTimeout, allowRetired: allowRetired)
        if let why = store.newIncarnationReason {
            Console.error("sanji: note: \(why); from now on it is a new copy of \(store.identity.id), and what it records goes up above anything the earlier copy sent."
                + " If the earlier copy still runs, its parent will refuse one of them (docs/operations.md: moving a station).")
        }
        return store
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// Options every file import shares.
struct FileImportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The file's encoding (auto: UTF-8 with or without BOM, else GB18030).", valueName: "name"))
    var encoding: TextEncoding = .auto

    @Flag(help: "Skip columns the contract does not name instead of rejecting the file.")
    var ignoreExtra = false

    @Option(help: ArgumentHelp("Print at most this many row problems of a rejected file (0: all; the rest are counted).", valueName: "n"))
    var maxErrors: Int = 200

    @Flag(help: "Read plain numbers in time columns as Excel date serials (46330.375 = 2026-11-04 09:00).")
    var excelDates = false

    @Flag(help: "Show progress even when stderr is not a terminal (it shows on a terminal anyway).")
    var progress = false

    func importOptions(gradeCodes: Grade.Codes? = nil) throws -> ImportOptions {
        var options = ImportOptions(encoding: encoding, ignoreExtra: ignoreExtra, gradeCodes: gradeCodes, excelDates: excelDates)
        // Problems beyond those printed are only counted, so a wholly wrong file of millions of rows holds no millions of messages.
        options.keptProblems = maxErrors > 0 ? maxErrors : Int.max
        return options
    }
}

enum Console {
    /// The data directory the command opened, so that a store failure can be explained from its files.
    nonisolated(unsafe) static var dataDirectory: URL?

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Runs a command body, turning every failure into a clear message and exit status 1.
    static func run(maxErrors: Int = 200, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as SanjiError {
            error("sanji: error: \(e.description)")
            throw ExitCode(1)
        } catch let e as ImportRejected {
            let shown = maxErrors > 0 ? Array(e.issues.prefix(maxErrors)) : e.issues
            for issue in shown { error(issue.description) }
            if shown.count < e.total {
                let hint = shown.count < e.issues.count ? " (--max-errors 0 prints all)" : ""
                error("… and \(NumberText.thousands(e.total - shown.count)) more problems\(hint)")
            }
            error("sanji: error: \(e.description)")
            throw ExitCode(1)
        }
    }

    /// Writes a small file for people to carry (a join request, a welcome), with a clear error.
    static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw SanjiError(.io, "\(path): cannot be written (check the directory exists and may be written)")
        }
    }

    /// Reads a file users bring, with a clear error when it cannot be read.
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SanjiError(.io, exists ? "\(path): cannot be read (check its permissions)" : "\(path): no such file")
        }
        return [UInt8](data)
    }
}

/// Shows rows, percentage, rate and time left on a terminal while a long import runs; silent otherwise.
final class ProgressLine: @unchecked Sendable {
    private let start = Date()
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    /// On a terminal, or anywhere when `force` (`--progress`).
    init(force: Bool = false) { enabled = force || Console.stderrIsTerminal }

    func update(_ p: ImportProgressReport) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let rate = Int(Double(p.rows) / elapsed)
        var line = "\r  \(NumberText.thousands(p.rows)) rows"
        if p.totalBytes > 0 {
            let done = Double(p.bytesRead) / Double(p.totalBytes)
            line += String(format: "  %3.0f %%", done * 100)
            if done > 0.01, done < 1 { line += "  \(Int((elapsed / done - elapsed).rounded())) s left" }
        }
        line += "  (\(NumberText.thousands(rate)) rows/s)"
        if p.problems > 0 { line += "  \(NumberText.thousands(p.problems)) problems: the file will be rejected" }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        shown = true
    }

    func finish() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }

    /// Maps `file`, runs the import with a progress line, and prints its one-line summary.
    static func importing(
        _ file: String, kind: String, data: DataOptions, force: Bool = false,
        _ body: (NodeStore, InputBytes, @escaping ImportProgress) throws -> ImportReport
    ) throws {
        let store = try data.open()
        let input: InputBytes
        do { input = try InputBytes.mapping(file) } catch { throw SanjiError(.io, error.message) }
        let progress = ProgressLine(force: force)
        let start = Date()
        defer { progress.finish() }
        let report = try body(store, input, progress.update)
        progress.finish()
        print(report.line(kind: kind, file: file, seconds: Date().timeIntervalSince(start)))
    }
}

extension ImportReport {
    func line(kind: String, file: String, seconds: Double) -> String {
        let rate = seconds > 0 ? " in \(String(format: "%.2f", seconds)) s (\(NumberText.thousands(Int(Double(rows) / seconds))) rows/s)" : ""
        return "\(file): \(NumberText.thousands(rows)) \(kind) rows: \(NumberText.thousands(new)) new, \(NumberText.thousands(updated)) updated, \(NumberText.thousands(unchanged)) unchanged\(rate)"
    }
}

/// A count of things done out of a total (nodes answered, stations caught up, months summed),
/// with percentage, rate and time left, on a terminal or when `--progress` forces it.
final class CountProgress: @unchecked Sendable {
    private let what: String
    private let unit: String
    private let enabled: Bool
    private let start = Date()
    private var lastShown = Date.distantPast
    private var shown = false

    init(_ what: String, unit: String, force: Bool) {
        (self.what, self.unit) = (what, unit)
        enabled = force || Console.stderrIsTerminal
    }

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastShown) >= 0.2 else { return }
        lastShown = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let fraction = Double(done) / Double(total)
        var line = "\r  \(what): \(NumberText.thousands(done)) of \(NumberText.thousands(total)) \(unit)" + String(format: "  %3.0f %%", fraction * 100)
        if done > 0, done < total { line += "  \(Int((elapsed / fraction - elapsed).rounded())) s left" }
        line += String(format: "  (%.1f %@/s, %.1f s)", Double(done) / elapsed, unit, elapsed)
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        shown = true
    }

    /// Ends the line (it stays, with the last figures, as a record of the wait).
    func finish() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\n".utf8))
        shown = false
    }
}
