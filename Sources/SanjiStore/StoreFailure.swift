import Foundation
import GRDB
import SanjiCore

/// SQLite's failures in words an operator can act on, the same for every command and for
/// `sanji serve`'s log. SQLite has rolled the transaction back by the time any of these is seen.
public enum StoreFailure {
    /// Nil when `error` is not SQLite's.
    public static func explain(_ error: Error, directory: URL? = nil) -> SanjiError? {
        guard let e = error as? DatabaseError else { return nil }
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
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SanjiError(.io, "\(place) stayed busy (another command holds it); nothing was written",
                              hint: "run the command again when the other one has finished")
        default:
            return SanjiError(.io, "\(place) failed: \(detail) (SQLite \(e.resultCode)); nothing was written")
        }
    }
}
