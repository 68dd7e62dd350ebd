import Foundation
import XCTest

/// Runs the built `sanji` binary as a user would, in its own temporary data directory.
struct SanjiProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SANJI_BIN"] { return URL(fileURLWithPath: path) }
        // XCTest on Linux runs from the build products directory, next to the `sanji` executable.
        return Bundle.main.bundleURL.appendingPathComponent("sanji")
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let data: URL

    init() {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-cli-\(UUID().uuidString)")
    }

    func cleanUp() { try? FileManager.default.removeItem(at: data) }

    @discardableResult
    func run(_ args: [String], environment: [String: String] = [:], useDataFlag: Bool = true) throws -> Result {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args + (useDataFlag ? ["--data", data.path] : [])
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SANJI_DATA")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.currentDirectoryURL = Self.repoRoot
        // stdout through a pipe, stderr into a file: neither can fill up and block the child.
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
        let errData = try Data(contentsOf: errURL)
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs and fails the test unless the command succeeded.
    @discardableResult
    func ok(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try run(args)
        XCTAssertEqual(r.status, 0, "sanji \(args.joined(separator: " ")) failed:\n\(r.stderr)", file: file, line: line)
        return r.stdout
    }

    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(at: data.deletingLastPathComponent().appendingPathComponent("inputs-\(data.lastPathComponent)"), withIntermediateDirectories: true)
        let url = data.deletingLastPathComponent().appendingPathComponent("inputs-\(data.lastPathComponent)").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
