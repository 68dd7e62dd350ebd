import Foundation
import GRDB
import SanjiCore

/// `serve --import-dir DIR`: the provincial system's exports dropped into a folder (a share, a
/// USB stick copied in) are imported with no one at a shell. Each CSV file is imported once it has
/// stopped growing (the same size and time at two looks), as cases, evaluations or 咨询 by its
/// header, all or nothing as at the shell. A file that imports moves to `DIR/done/`; a rejected
/// one to `DIR/failed/`, with `NAME.errors.txt` beside it holding the same `file:line: field:
/// problem` lines `sanji import` prints. A re-delivered file changes nothing (imports are
/// idempotent) and moves to `done/` again. The dashboard's attention list names the files in
/// `failed/` until someone removes them.
public final class ImportFolder: @unchecked Sendable {
    /// What one look did with one file.
    public enum Outcome: Equatable, Sendable {
        /// Imported and moved to `done/`; the report's line.
        case imported(file: String, report: String)
        /// Rejected and moved to `failed/`, with how many problems its errors file holds.
        case failed(file: String, problems: Int)
        /// Not imported for a reason not the file's (the store busy, the disk): left where it was,
        /// tried again at a later look.
        case deferred(file: String, reason: String)
    }

    /// The folder watched.
    public let directory: URL
    let store: NodeStore
    let options: ImportOptions
    /// Files seen growing or waiting: size and modification time at the last look.
    private var seen: [String: (size: Int64, modified: Date)] = [:]

    /// A watcher of `directory` for `store`; makes `done/` and `failed/` and records the folder in
    /// the store (the dashboard reads `failed/` from there).
    public init(store: NodeStore, directory: URL, options: ImportOptions = ImportOptions()) throws {
        self.store = store
        self.directory = directory.standardizedFileURL
        self.options = options
        for sub in ["done", "failed", "processing"] {
            do {
                try FileManager.default.createDirectory(at: self.directory.appendingPathComponent(sub), withIntermediateDirectories: true)
            } catch {
                throw SanjiError(.io, "--import-dir \(directory.path): cannot make \(sub)/ in it (\(error.localizedDescription))")
            }
        }
        try store.setImportDirectory(self.directory.path)
        // A file serve was importing when it stopped goes back to be looked at again (its import
        // committed whole or not at all; a second import of the same rows changes nothing).
        let processing = self.directory.appendingPathComponent("processing")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: processing.path)) ?? [] {
            try? FileManager.default.moveItem(at: processing.appendingPathComponent(name), to: self.unused(name, in: self.directory))
        }
    }

    /// One look at the folder: every CSV file that has not changed since the last look is
    /// imported and moved. Files still being written wait for the next look.
    public func scan() -> [Outcome] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        var outcomes: [Outcome] = []
        var present: Set<String> = []
        for name in names where name.lowercased().hasSuffix(".csv") && !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let size = (attributes[.size] as? NSNumber)?.int64Value, let modified = attributes[.modificationDate] as? Date
            else { continue }
            present.insert(name)
            defer { seen[name] = (size, modified) }
            guard let before = seen[name], before.size == size, before.modified == modified else { continue }
            outcomes.append(importFile(name))
            present.remove(name)
        }
        seen = seen.filter { present.contains($0.key) }
        return outcomes
    }

    /// Imports one file and moves it (with its errors beside it when rejected). The file is first
    /// renamed into `processing/`, so that a copy delivered over it meanwhile is a new file, not
    /// one changed under the import, and what moves to `done/` is what was imported.
    func importFile(_ name: String) -> Outcome {
        let processing = directory.appendingPathComponent("processing")
        let held = unused(name, in: processing)
        do {
            try FileManager.default.moveItem(at: directory.appendingPathComponent(name), to: held)
        } catch {
            return .deferred(file: name, reason: "cannot take it into processing/: \(error.localizedDescription)")
        }
        do {
            let input = try InputBytes.mapping(held.path)
            let report: ImportReport
            switch Self.kind(ofHeaderIn: held) {
            case .evaluations: report = try store.importEvaluations(name: name, input: input, options: options)
            case .consultations: report = try store.importConsultations(name: name, input: input, options: options)
            case .cases: report = try store.importCases(name: name, input: input, options: options)
            case nil:
                throw ImportRejected(file: name, issues: [RowIssue(file: name, line: 1, field: "header",
                    message: "names none of case_no (cases), eval_id (evaluations) or consult_id/at (咨询); not a file for `sanji import`")])
            }
            move(held, to: "done", as: name)
            return .imported(file: name, report: "\(report.rows) rows: \(report.new) new, \(report.updated) updated, \(report.unchanged) unchanged")
        } catch let rejected as ImportRejected {
            let text = rejected.issues.map(\.description).joined(separator: "\n")
                + (rejected.total > rejected.issues.count ? "\n… and \(rejected.total - rejected.issues.count) more problems" : "")
                + "\n\(rejected.description)\n"
            fail(held, name, text)
            return .failed(file: name, problems: rejected.total)
        } catch let e as SanjiError where e.code == .io {
            // The store busy (another command holds it), the disk full or failing: not the file's
            // fault. It goes back, to be tried at a later look.
            try? FileManager.default.moveItem(at: held, to: unused(name, in: directory))
            return .deferred(file: name, reason: e.message)
        } catch {
            fail(held, name, "\(name): \((error as? SanjiError)?.description ?? String(describing: error))\n")
            return .failed(file: name, problems: 1)
        }
    }

    private func fail(_ held: URL, _ name: String, _ errors: String) {
        let moved = move(held, to: "failed", as: name)
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("failed").appendingPathComponent(moved + ".errors.txt").path,
                                           contents: Data(errors.utf8))
    }

    /// Moves a file into `sub/` as `name`, or a new name if one of that name is there (a
    /// re-delivery); returns the name it got.
    @discardableResult
    private func move(_ file: URL, to sub: String, as name: String) -> String {
        let target = unused(name, in: directory.appendingPathComponent(sub))
        try? FileManager.default.moveItem(at: file, to: target)
        return target.lastPathComponent
    }

    /// `name` in `folder`, or `NAME.2.csv`, `NAME.3.csv` … if it is taken.
    private func unused(_ name: String, in folder: URL) -> URL {
        var candidate = name
        var n = 1
        while FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate).path) {
            n += 1
            let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
            candidate = "\(base).\(n).\(ext)"
        }
        return folder.appendingPathComponent(candidate)
    }

    enum Kind { case cases, evaluations, consultations }

    /// Which import a file is for, by its header's column names (ASCII in every encoding we read).
    static func kind(ofHeaderIn url: URL) -> Kind? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 65_536)) ?? Data()
        // The column names are ASCII: in UTF-8, GB18030 and (with its zero bytes and BOM dropped) UTF-16.
        let line = head.prefix { $0 != UInt8(ascii: "\n") }.filter { $0 != 0 && $0 < 0x80 }
        let names = Set(String(decoding: line, as: UTF8.self).lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\""))
        })
        if names.contains("eval_id") { return .evaluations }
        if names.contains("case_no") { return .cases }
        if names.contains("consult_id") || names.contains("at") { return .consultations }
        return nil
    }
}

extension NodeStore {
    /// Records the folder `serve --import-dir` watches (the dashboard names the files in its `failed/`).
    public func setImportDirectory(_ path: String) throws {
        try write { db in try Meta.set(db, .importDir, path) }
    }

    /// The files `serve --import-dir` could not import and that are still in its `failed/` folder,
    /// oldest first.
    public func failedImports() throws -> [FailedImport] {
        try read { try Self.failedImports($0) }
    }

    /// `failedImports()` inside a read that is already open (the dashboard's).
    static func failedImports(_ db: Database) throws -> [FailedImport] {
        guard let dir = try Meta.get(db, .importDir) else { return [] }
        let failed = URL(fileURLWithPath: dir).appendingPathComponent("failed")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: failed.path)) ?? []
        return names.filter { !$0.hasSuffix(".errors.txt") && !$0.hasPrefix(".") }.map { name in
            let modified = (try? FileManager.default.attributesOfItem(atPath: failed.appendingPathComponent(name).path)[.modificationDate] as? Date) ?? nil
            return FailedImport(file: failed.appendingPathComponent(name).path, errors: failed.appendingPathComponent(name + ".errors.txt").path,
                                failedAt: Int64(modified?.timeIntervalSince1970 ?? 0))
        }.sorted { ($0.failedAt, $0.file) < ($1.failedAt, $1.file) }
    }
}
