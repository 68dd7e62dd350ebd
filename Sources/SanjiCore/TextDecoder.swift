#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the bytes of a file users bring into UTF-8: UTF-8 with or without BOM, UTF-16 with a
/// BOM, and GB18030/GBK (what Excel on a Chinese Windows desk writes), detected or named.
public enum TextEncoding: String, CaseIterable, Sendable {
    case auto, utf8 = "utf-8", gb18030, gbk, utf16 = "utf-16"

    /// Reads an `--encoding` value: auto, utf-8, gb18030, gbk (or gb2312, cp936) or utf-16; nil otherwise.
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "auto": self = .auto
        case "utf-8", "utf8": self = .utf8
        case "gb18030", "gb-18030": self = .gb18030
        case "gbk", "gb2312", "cp936", "936": self = .gbk
        case "utf-16", "utf16", "unicode": self = .utf16
        default: return nil
        }
    }
}

/// Decodes the files users bring to UTF-8 (GB18030 and UTF-16 through iconv).
public enum TextDecoder {
    /// Why a file could not be decoded.
    public struct DecodeError: Error, Equatable, Sendable {
        /// What is wrong and what to do (e.g. try `--encoding gbk`).
        public let message: String
        /// The line the problem is on, when it is on one.
        public var line = 1

        /// An error with its message and, when known, its line.
        public init(message: String, line: Int = 1) {
            self.message = message
            self.line = line
        }
    }

    /// Returns UTF-8 bytes without BOM and the encoding that was used.
    public static func utf8(from data: [UInt8], encoding: TextEncoding = .auto) throws(DecodeError) -> (bytes: [UInt8], used: TextEncoding) {
        let (input, used) = try utf8(from: InputBytes(data), encoding: encoding)
        var bytes = Array(input.buffer)
        if bytes.starts(with: bom) { bytes.removeFirst(3) }
        return (bytes, used)
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Returns the input as UTF-8 (the same bytes when they are UTF-8, a leading BOM left for the
    /// reader to skip) and the encoding that was used. A mapped input is read in passes that hand
    /// its pages back as they go, and a conversion is written to a temporary file, so that memory
    /// stays flat whatever the file's size.
    public static func utf8(from input: InputBytes, encoding: TextEncoding = .auto) throws(DecodeError) -> (input: InputBytes, used: TextEncoding) {
        let data = input.buffer
        switch encoding {
        case .auto:
            if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
                return (try convert(input, from: "UTF-16"), .utf16)
            }
            if isValidUTF8(input) { return (input, .utf8) }
            if data.starts(with: bom) {
                throw DecodeError(message: "the file is not valid UTF-8 (an Excel export on Chinese Windows is usually GBK: try --encoding gbk)")
            }
            if let mixed = mixedEncodingProblem(data) { throw mixed }
            input.releaseAll()
            do {
                return (try convert(input, from: "GB18030"), .gb18030)
            } catch {
                throw DecodeError(message: "the file is neither UTF-8 nor GB18030/GBK; save it as UTF-8 or name the encoding with --encoding")
            }
        case .utf8:
            guard isValidUTF8(input) else {
                throw DecodeError(message: "the file is not valid UTF-8 (an Excel export on Chinese Windows is usually GBK: try --encoding gbk)")
            }
            return (input, .utf8)
        case .gb18030, .gbk:
            return (try convert(input, from: "GB18030"), encoding)
        case .utf16:
            return (try convert(input, from: "UTF-16"), .utf16)
        }
    }

    /// A file that is not UTF-8 as a whole but has lines that are (with Chinese in them) mixes
    /// encodings: someone pasted a GBK line into a UTF-8 file. Decoding it all as GBK would turn
    /// 张三 into 寮犱笁 on the UTF-8 lines, so it is refused, naming a line of each kind.
    static func mixedEncodingProblem(_ data: UnsafeBufferPointer<UInt8>) -> DecodeError? {
        var utf8Line: Int?, otherLine: Int?
        var line = 1
        var start = 0
        func judge(_ end: Int) {
            let slice = data[start..<end]
            guard slice.contains(where: { $0 >= 0x80 }) else { return }
            let text = slice.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) } ?? nil
            if let text {
                // GBK bytes can happen to form valid UTF-8, but then as Latin or Cyrillic letters
                // (two-byte sequences), hardly ever as Chinese: only Chinese counts as UTF-8 here.
                let scalars = text.unicodeScalars
                if utf8Line == nil, scalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }),
                   !scalars.contains(where: { (0x80...0x7FF).contains($0.value) }) {
                    utf8Line = line
                }
            } else if otherLine == nil {
                otherLine = line
            }
        }
        for (i, b) in data.enumerated() where b == 0x0A {
            judge(i)
            line += 1
            start = i + 1
        }
        judge(data.count)
        guard let u = utf8Line, let o = otherLine else { return nil }
        return DecodeError(message: "the file mixes encodings: line \(u) is UTF-8 but line \(o) is not (GBK?); save the whole file in one encoding (UTF-8) and import it again",
                           line: o)
    }

    /// Whether `bytes` are well-formed UTF-8.
    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
    }

    /// Whether the input is well-formed UTF-8, checked a few megabytes at a time (each piece ending
    /// after a line feed, which is never inside a character), handing the pages back behind.
    static func isValidUTF8(_ input: InputBytes) -> Bool {
        let data = input.buffer
        var start = 0
        defer { input.releaseAll() }
        while start < data.count {
            var end = min(start + (4 << 20), data.count)
            while end < data.count, data[end - 1] != 0x0A { end += 1 }
            guard String(validating: UnsafeBufferPointer(rebasing: data[start..<end]), as: UTF8.self) != nil else { return false }
            start = end
            input.release(before: start)
        }
        return true
    }

    /// Converts the input to UTF-8 through iconv, a megabyte of output at a time.
    static func convert(_ input: InputBytes, from source: String) throws(DecodeError) -> InputBytes {
        let cd = iconv_open("UTF-8", source)
        guard cd != iconv_t(bitPattern: -1) else { throw DecodeError(message: "this system cannot convert from \(source)") }
        defer { iconv_close(cd) }
        let sink: InputBytes.Sink
        do { sink = try InputBytes.Sink(like: input) } catch { throw DecodeError(message: error.message) }
        let data = input.buffer
        var output = [UInt8](repeating: 0, count: 1 << 20)
        var inLeft = data.count
        var ip = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(data.baseAddress)?.assumingMemoryBound(to: CChar.self))
        while inLeft > 0 {
            var outLeft = output.count
            let failed: Bool = output.withUnsafeMutableBytes { ob in
                var op = ob.baseAddress?.assumingMemoryBound(to: CChar.self)
                return iconv(cd, &ip, &inLeft, &op, &outLeft) == -1 && errno != E2BIG
            }
            let produced = output.count - outLeft
            do { try sink.append(output[0..<produced]) } catch { throw DecodeError(message: error.message) }
            input.release(before: data.count - inLeft)
            guard !failed else {
                throw DecodeError(message: "byte \(data.count - inLeft) is not valid \(source); name the encoding with --encoding")
            }
            guard produced > 0 || inLeft == 0 else {
                throw DecodeError(message: "byte \(data.count - inLeft) is not valid \(source); name the encoding with --encoding")
            }
        }
        input.releaseAll()
        do { return try sink.finish() } catch { throw DecodeError(message: error.message) }
    }
}
