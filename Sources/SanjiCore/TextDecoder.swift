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
        switch encoding {
        case .auto:
            if data.starts(with: [0xEF, 0xBB, 0xBF]) {
                return try utf8(from: Array(data.dropFirst(3)), encoding: .utf8)
            }
            if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
                return try utf8(from: data, encoding: .utf16)
            }
            if isValidUTF8(data) { return (data, .utf8) }
            if let mixed = mixedEncodingProblem(data) { throw mixed }
            do {
                return (try convert(data, from: "GB18030"), .gb18030)
            } catch {
                throw DecodeError(message: "the file is neither UTF-8 nor GB18030/GBK; save it as UTF-8 or name the encoding with --encoding")
            }
        case .utf8:
            let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(data.dropFirst(3)) : data
            guard isValidUTF8(body) else {
                throw DecodeError(message: "the file is not valid UTF-8 (an Excel export on Chinese Windows is usually GBK: try --encoding gbk)")
            }
            return (body, .utf8)
        case .gb18030, .gbk:
            return (try convert(data, from: "GB18030"), encoding)
        case .utf16:
            return (try convert(data, from: "UTF-16"), .utf16)
        }
    }

    /// A file that is not UTF-8 as a whole but has lines that are (with Chinese in them) mixes
    /// encodings: someone pasted a GBK line into a UTF-8 file. Decoding it all as GBK would turn
    /// 张三 into 寮犱笁 on the UTF-8 lines, so it is refused, naming a line of each kind.
    static func mixedEncodingProblem(_ data: [UInt8]) -> DecodeError? {
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

    static func convert(_ data: [UInt8], from source: String) throws(DecodeError) -> [UInt8] {
        let cd = iconv_open("UTF-8", source)
        guard cd != iconv_t(bitPattern: -1) else { throw DecodeError(message: "this system cannot convert from \(source)") }
        defer { iconv_close(cd) }
        var input = data.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: data.count * 2 + 16)
        var inLeft = input.count
        var outLeft = output.count
        let failed: Bool = input.withUnsafeMutableBufferPointer { ib in
            output.withUnsafeMutableBufferPointer { ob in
                var ip = ib.baseAddress
                var op = ob.baseAddress
                return iconv(cd, &ip, &inLeft, &op, &outLeft) == -1
            }
        }
        guard !failed, inLeft == 0 else {
            let offset = input.count - inLeft
            throw DecodeError(message: "byte \(offset) is not valid \(source); name the encoding with --encoding")
        }
        var result = output.prefix(output.count - outLeft).map { UInt8(bitPattern: $0) }
        if result.starts(with: [0xEF, 0xBB, 0xBF]) { result.removeFirst(3) }
        return result
    }
}
