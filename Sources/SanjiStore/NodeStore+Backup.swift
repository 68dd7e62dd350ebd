import Foundation
import GRDB
import SanjiCore

extension NodeStore {
    /// A consistent copy of the store (SQLite's online backup, safe while `serve` writes) and of
    /// the node's keys, into a new directory that can serve as `--data` on a replacement machine.
    public func backup(to target: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path), !((try? fm.contentsOfDirectory(atPath: target.path)) ?? []).isEmpty {
            throw SanjiError(.invalidArgument, "\(target.path) is not empty; back up into a new directory")
        }
        do {
            try fm.createDirectory(at: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SanjiError(.io, "cannot create \(target.path): \(error.localizedDescription)")
        }
        do {
            let copy = try DatabaseQueue(path: NodeStore.databaseURL(in: target).path)
            try pool.backup(to: copy)
            try copy.close()
        } catch let e as DatabaseError {
            throw StoreFailure.explain(e, directory: target)
        }
        try KeyStore(dataDirectory: target).save(try keys.load())
    }

    /// A backup's integrity check, rev and catalogue sequence, read without opening it as a node
    /// (which would make it a new copy of the station where it lies).
    public static func checkBackup(at directory: URL) throws -> (integrity: String, rev: Int, catalogSeq: Int) {
        var config = Configuration()
        config.readonly = true
        do {
            let queue = try DatabaseQueue(path: databaseURL(in: directory).path, configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in
                (try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer", try Counter.value(db, .rev), try Counter.value(db, .catalogSeq))
            }
        } catch let e as DatabaseError {
            throw StoreFailure.explain(e, directory: directory)
        }
    }

    /// SQLite's integrity check: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "no answer" }
    }
}
