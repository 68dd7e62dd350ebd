#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a file users bring, read front to back once or twice: held in memory (a test's
/// array, a small file) or mapped from the file, so that a million-row import does not hold the
/// file in the process's memory. A mapped input gives back the pages behind the reader as it goes
/// (`release(before:)`), which keeps the resident set flat whatever the file's size; the page
/// cache keeps them, so a second pass reads them again without a disk seek on a machine with room.
public final class InputBytes: @unchecked Sendable {
    /// The bytes, from `start` on (a BOM is skipped by moving `start`).
    public let buffer: UnsafeBufferPointer<UInt8>
    private let owned: UnsafeMutableBufferPointer<UInt8>?
    private let mapping: (base: UnsafeMutableRawPointer, length: Int)?
    /// The mapped file's descriptor, kept while the mapping lives, and a temporary file to remove.
    private let cleanup: (() -> Void)?
    /// Bytes before this offset have been handed back to the kernel.
    private var released = 0

    /// Bytes held in memory.
    public init(_ bytes: [UInt8]) {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = copy.initialize(from: bytes)
        owned = copy
        mapping = nil
        cleanup = nil
        buffer = UnsafeBufferPointer(copy)
    }

    private init(base: UnsafeMutableRawPointer?, length: Int, cleanup: (() -> Void)?) {
        owned = nil
        mapping = base.map { ($0, length) }
        self.cleanup = cleanup
        buffer = UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: length)
    }

    deinit {
        if let mapping { munmap(mapping.base, mapping.length) }
        owned?.deallocate()
        cleanup?()
    }

    /// The number of bytes.
    public var count: Int { buffer.count }

    /// Why a file could not be opened or mapped, in words naming the file.
    public struct OpenError: Error, Sendable {
        /// What went wrong, naming the path.
        public let message: String
    }

    /// Maps the file at `path` read-only. An empty file is an empty input.
    public static func mapping(_ path: String) throws(OpenError) -> InputBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw OpenError(message: e == ENOENT ? "\(path): no such file" : "\(path): cannot be read (\(String(cString: strerror(e))))")
        }
        return try mapping(fd: fd, path: path, removing: nil)
    }

    static func mapping(fd: Int32, path: String, removing temporary: String?) throws(OpenError) -> InputBytes {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw OpenError(message: "\(path): cannot be read (\(String(cString: strerror(errno))))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw OpenError(message: "\(path): is a directory, not a file")
        }
        let length = Int(info.st_size)
        let remove = { if let temporary { unlink(temporary) } }
        guard length > 0 else {
            close(fd)
            return InputBytes(base: nil, length: 0, cleanup: remove)
        }
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            let e = errno
            close(fd)
            remove()
            throw OpenError(message: "\(path): cannot be mapped (\(String(cString: strerror(e))))")
        }
        close(fd)  // The mapping holds the file open.
        _ = madvise(base, length, MADV_SEQUENTIAL)
        return InputBytes(base: base, length: length, cleanup: remove)
    }

    /// Hands back to the kernel the mapped pages wholly before `offset` (a no-op for bytes in memory).
    /// Reading them again is allowed: the kernel maps them in again from the file.
    public func release(before offset: Int) {
        guard let mapping else { return }
        guard offset - released >= 8 << 20 else { return }
        let end = min(offset, count) / Self.pageSize * Self.pageSize
        _ = madvise(mapping.base + released, end - released, MADV_DONTNEED)
        released = end
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Hands back every mapped page (after a pass over the whole input).
    public func releaseAll() {
        guard let mapping else { return }
        _ = madvise(mapping.base, mapping.length, MADV_DONTNEED)
        released = 0
    }

    /// A writer of UTF-8 produced by converting an input: into memory when the input is in memory,
    /// into an unlinked-on-close temporary file (then mapped) when the input is a mapped file.
    final class Sink {
        private var bytes: [UInt8] = []
        private let fd: Int32?
        private let path: String?

        init(like input: InputBytes) throws(OpenError) {
            guard input.mapping != nil else {
                fd = nil
                path = nil
                return
            }
            let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            var template = Array("\(dir)/sanji-import-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw OpenError(message: "\(dir): cannot hold a temporary copy of the converted file (\(String(cString: strerror(errno))))") }
            self.fd = fd
            path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }

        func append(_ chunk: ArraySlice<UInt8>) throws(OpenError) {
            guard let fd else {
                bytes.append(contentsOf: chunk)
                return
            }
            var done = 0
            while done < chunk.count {
                let n = chunk.withUnsafeBufferPointer { write(fd, $0.baseAddress! + done, $0.count - done) }
                guard n > 0 else {
                    throw OpenError(message: "cannot write the converted file to \(path ?? "") (\(String(cString: strerror(errno))))")
                }
                done += n
            }
        }

        func finish() throws(OpenError) -> InputBytes {
            guard let fd, let path else { return InputBytes(bytes) }
            return try InputBytes.mapping(fd: fd, path: path, removing: path)
        }
    }
}
