import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// The repository's root (for sample files such as nodes/huaiyuan/items.csv).
    public static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable` and waits for it. Both streams go to temporary files and the child is
    /// reaped with a blocking waitpid: no pipe can fill up or be held open by a grandchild, and
    /// nothing depends on Foundation noticing the exit.
    public static func run(_ executable: URL, _ args: [String], environment: [String: String]? = nil, directory: URL = repoRoot) throws -> Result {
        let tmp = FileManager.default.temporaryDirectory
        let outURL = tmp.appendingPathComponent("sanji-stdout-\(UUID().uuidString)")
        let errURL = tmp.appendingPathComponent("sanji-stderr-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Children start in `directory` (the suites run commands one at a time; Glibc's module does
        // not expose posix_spawn_file_actions_addchdir_np).
        FileManager.default.changeCurrentDirectoryPath(directory.path)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv = ([executable.path] + args).map { strdup($0) } + [nil]
        var envp = env.map { strdup($0) } + [nil]
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable.path, &actions, nil, &argv, &envp)
        guard rc == 0 else { throw NSError(domain: "CommandRunner", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "cannot run \(executable.path)"]) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = status & 0x7F == 0
        return Result(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                      stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                      stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}
