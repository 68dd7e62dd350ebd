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

/// One line of progress on stderr, rewritten in place: on a terminal, or anywhere when `force`
/// (`--progress`); silent otherwise. What the line says is its users' (`ProgressLine`,
/// `CountProgress`); how it is written, timed and ended is here.
final class StatusLine: @unchecked Sendable {
    let start = Date()
    let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(force: Bool) { enabled = force || Console.stderrIsTerminal }

    /// Seconds since the line was made (never 0).
    var elapsed: Double { max(Date().timeIntervalSince(start), 0.001) }

    /// `  42 %  3 s left` for the share done so far (no time left at the start or the end).
    func share(_ fraction: Double) -> String {
        var text = String(format: "  %3.0f %%", fraction * 100)
        if fraction > 0.01, fraction < 1 { text += "  \(Int((elapsed / fraction - elapsed).rounded())) s left" }
        return text
    }

    /// Rewrites the line with `text`.
    func show(_ text: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(("\r  " + text + "\u{1B}[K").utf8))
        shown = true
    }

    /// Ends the line: erased (`keep: false`), or left with its last figures as a record of the wait.
    func end(keep: Bool) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        guard shown else { return }
        FileHandle.standardError.write(Data((keep ? "\n" : "\r\u{1B}[K").utf8))
        shown = false
    }
}

/// Shows rows, percentage, rate and time left while a long import runs.
final class ProgressLine: @unchecked Sendable {
    private let line: StatusLine

    /// On a terminal, or anywhere when `force` (`--progress`).
    init(force: Bool = false) { line = StatusLine(force: force) }

    func update(_ p: ImportProgressReport) {
        guard line.enabled else { return }
        var text = "\(NumberText.thousands(p.rows)) rows"
        if p.totalBytes > 0 { text += line.share(Double(p.bytesRead) / Double(p.totalBytes)) }
        text += "  (\(NumberText.thousands(Int(Double(p.rows) / line.elapsed))) rows/s)"
        if p.problems > 0 { text += "  \(NumberText.thousands(p.problems)) problems: the file will be rejected" }
        line.show(text)
    }

    func finish() { line.end(keep: false) }

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
    private let line: StatusLine
    private var lastShown = Date.distantPast

    init(_ what: String, unit: String, force: Bool) {
        (self.what, self.unit) = (what, unit)
        line = StatusLine(force: force)
    }

    func update(_ done: Int, of total: Int) {
        guard line.enabled, total > 0, done >= total || Date().timeIntervalSince(lastShown) >= 0.2 else { return }
        lastShown = Date()
        let elapsed = line.elapsed
        line.show("\(what): \(NumberText.thousands(done)) of \(NumberText.thousands(total)) \(unit)" + line.share(Double(done) / Double(total))
                  + String(format: "  (%.1f %@/s, %.1f s)", Double(done) / elapsed, unit, elapsed))
    }

    /// Ends the line (it stays, with the last figures, as a record of the wait).
    func finish() { line.end(keep: true) }
}
