import Foundation

/// Runs a command to completion and captures its output: stdout through a pipe, stderr into a
/// file, so that neither can fill up and block the child.
public enum CommandRunner {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The built `sanji`: $SANJI_BIN, else next to the test bundle in the build products.
    public static var sanjiBinary: URL {
        if let path = ProcessInfo.processInfo.environment["SANJI_BIN"] { return URL(fileURLWithPath: path) }
        return Bundle.main.bundleURL.appendingPathComponent("sanji")
    }

    /// The repository's root (for sample files such as nodes/sample/items.csv).
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func run(_ executable: URL, _ args: [String], environment: [String: String]? = nil, directory: URL = repoRoot) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let environment { p.environment = environment }
        p.currentDirectoryURL = directory
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try err.close()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
