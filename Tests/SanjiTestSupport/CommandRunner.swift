import Foundation
import SanjiSpawn

/// Runs a command to completion and captures its output (through `Spawn`: stdout and stderr go
/// to temporary files, so that neither can fill up and block the child).
public enum CommandRunner {
    public typealias Result = Spawn.Result

    /// The built `sanji`: $SANJI_BIN, else next to the test bundle in the build products.
    public static var sanjiBinary: URL {
        if let path = ProcessInfo.processInfo.environment["SANJI_BIN"] { return URL(fileURLWithPath: path) }
        return Bundle.main.bundleURL.appendingPathComponent("sanji")
    }

    /// The repository's root (for sample files such as nodes/huaiyuan/items.csv).
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable` in `directory` and waits for it.
    public static func run(_ executable: URL, _ args: [String], environment: [String: String]? = nil, directory: URL = repoRoot) throws -> Result {
        try Spawn.run(executable.path, args, environment: environment, directory: directory.path)
    }
}
