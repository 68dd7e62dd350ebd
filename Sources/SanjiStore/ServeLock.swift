import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SanjiCore

/// `sanji serve` holds an exclusive lock on `<data>/serve.lock` (with its pid in it) for as long as
/// it runs: a second serve on the same data directory is refused, and `sanji status` can tell "serve
/// is running but the store is busy" from "serve is not running" without touching the store.
public final class ServeLock: @unchecked Sendable {
    private let fd: Int32

    /// The lock file of the data directory `directory`: `<data>/serve.lock`.
    public static func url(in directory: URL) -> URL { directory.appendingPathComponent("serve.lock") }

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock for this process, or says who holds it.
    public static func acquire(in directory: URL) throws -> ServeLock {
        let path = url(in: directory).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SanjiError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let pid = holder(in: directory).map { " (pid \($0))" } ?? ""
            throw SanjiError(.io, "another sanji serve\(pid) is already running on \(directory.path)",
                             hint: "stop it first (systemctl stop sanji, or sanji cluster stop …); two serves on one store would answer for the same station")
        }
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        return ServeLock(fd: fd)
    }

    /// The pid of the serve that holds the lock, or nil when none runs.
    public static func holder(in directory: URL) -> Int32? {
        let path = url(in: directory).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = read(fd, &buffer, 31)
        return Int32(String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).trimmingSpaces) ?? 0
    }
}

/// The store's files as the file system knows them (device and inode), to notice that one was
/// removed or replaced under a running node.
public struct StoreFiles: Equatable, Sendable {
    /// The store file's device and inode (`dev:ino`); nil when it does not exist.
    public var database: String?
    /// The write-ahead log's device and inode; nil when there is none.
    public var wal: String?

    /// The store's files in `directory` as they are now.
    public static func current(in directory: URL) -> StoreFiles {
        func identity(_ path: String) -> String? {
            var st = stat()
            return stat(path, &st) == 0 ? "\(st.st_dev):\(st.st_ino)" : nil
        }
        let db = NodeStore.databaseURL(in: directory).path
        return StoreFiles(database: identity(db), wal: identity(db + "-wal"))
    }

    /// What went wrong since `earlier`, in words, or nil.
    public func change(since earlier: StoreFiles, directory: URL) -> String? {
        let db = NodeStore.databaseURL(in: directory).path
        if database == nil { return "the store file \(db) was removed while the node ran" }
        if database != earlier.database { return "the store file \(db) was replaced while the node ran" }
        if earlier.wal != nil, wal == nil { return "the write-ahead log \(db)-wal was removed while the node ran (a disk cleaner?)" }
        if earlier.wal != nil, wal != earlier.wal { return "the write-ahead log \(db)-wal was replaced while the node ran" }
        return nil
    }
}

extension NodeStore {
    /// After the store's files were removed under a running node: one last attempt to move what
    /// the write-ahead log still holds (through the connections open on it) into the store file.
    public func saveWhatCanBeSaved() {
        _ = try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
