import Foundation
import SanjiTestSupport
import XCTest

/// Runs the built `sanji` binary as a user would, in its own temporary data directory.
struct SanjiProcess {
    typealias Result = CommandRunner.Result

    static var binary: URL { CommandRunner.sanjiBinary }
    static let repoRoot = CommandRunner.repoRoot

    let data: URL

    init() {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-cli-\(UUID().uuidString)")
    }

    func cleanUp() { try? FileManager.default.removeItem(at: data) }

    @discardableResult
    func run(_ args: [String], environment: [String: String] = [:], useDataFlag: Bool = true) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SANJI_DATA")
        for (k, v) in environment { env[k] = v }
        return try CommandRunner.run(Self.binary, args + (useDataFlag ? ["--data", data.path] : []), environment: env)
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
