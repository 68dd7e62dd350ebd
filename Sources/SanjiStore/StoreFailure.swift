import Foundation
import GRDB
import SanjiCore

/// SQLite's failures in words an operator can act on, the same for every command and for
/// `sanji serve`'s log. SQLite has rolled the transaction back by the time any of these is seen.
enum StoreFailure {
    /// SQLite keeps a shared-memory index (`-shm`) beside its log (`-wal`); the index without the
    /// log means the log was removed while a process had it open.
    static func lostWriteAheadLog(_ directory: URL) -> Bool {
        let db = NodeStore.databaseURL(in: directory).path
        return FileManager.default.fileExists(atPath: db + "-shm") && !FileManager.default.fileExists(atPath: db + "-wal")
    }

    static func explain(_ e: DatabaseError, directory: URL?) -> SanjiError {
        let detail = e.message ?? "\(e.resultCode)"
        let place = directory.map { "the store at \(NodeStore.databaseURL(in: $0).path)" } ?? "the store"
        switch e.resultCode {
        case .SQLITE_FULL:
            return SanjiError(.io, "the disk is full; nothing was written (the change was rolled back)",
                              hint: "free space on the disk holding the data directory, then run the command again")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            // WAL mode writes beside the store (-wal, -shm) even to read, so a read-only directory fails here too.
            return SanjiError(.io, "\(place) cannot be written (\(detail)); nothing was written",
                              hint: "check that the data directory and the files in it belong to the user running sanji (uid \(getuid())) and that its disk is mounted read-write")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return SanjiError(.io, "\(place) is damaged (\(detail)); nothing was written", hint: "restore the latest `sanji backup` (docs/operations.md)")
        case .SQLITE_IOERR where directory.map(lostWriteAheadLog) ?? false:
            let db = NodeStore.databaseURL(in: directory!).path
            return SanjiError(.io, "the write-ahead log \(db)-wal was removed while the node ran (a disk cleaner, or by hand); nothing was written",
                              hint: "stop sanji serve (it stops by itself when it notices), then run the command again; committed work the log held "
                                + "may be lost: restore from backup or re-import the exports since, and see `sanji verify` at the county (docs/operations.md)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SanjiError(.io, "\(place) stayed busy (another command holds it); nothing was written",
                              hint: "run the command again when the other one has finished")
        default:
            return SanjiError(.io, "\(place) failed: \(detail) (SQLite \(e.resultCode)); nothing was written")
        }
    }
}
