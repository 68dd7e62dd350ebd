import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting other programs, with posix_spawn: one place for the cluster launcher, the
/// benchmarks and the process tests. Output goes where it is told (a file, /dev/null, this
/// process's own streams); nothing is read through a pipe that a child could fill or that a
/// grandchild could hold open.
public enum Spawn {
    /// Where a child's standard output or error goes.
    public enum Output: Sendable, Equatable {
        /// This process's own stream.
        case inherit
        /// Discarded.
        case null
        /// Written to a file, created if needed (0600), truncated or appended to.
        case file(String, append: Bool)
    }

    /// How a child runs.
    public struct Options: Sendable {
        /// The child's environment (default: this process's).
        public var environment: [String: String]?
        /// The child's working directory (default: this process's).
        public var directory: String?
        /// Where standard output goes.
        public var stdout: Output = .inherit
        /// Where standard error goes, unless `stderrToStdout`.
        public var stderr: Output = .inherit
        /// Standard error goes where standard output goes.
        public var stderrToStdout = false
        /// In a session of its own (setsid): it outlives this process and its terminal, and a
        /// Ctrl-C at the terminal does not reach it.
        public var newSession = false

        /// Options; the defaults give the child this process's environment, directory, streams and session.
        public init(environment: [String: String]? = nil, directory: String? = nil, stdout: Output = .inherit, stderr: Output = .inherit,
                    stderrToStdout: Bool = false, newSession: Bool = false) {
            self.environment = environment
            self.directory = directory
            self.stdout = stdout
            self.stderr = stderr
            self.stderrToStdout = stderrToStdout
            self.newSession = newSession
        }
    }

    /// Why a program could not be started.
    public struct Failure: Error, CustomStringConvertible {
        /// The program that was to run.
        public let executable: String
        /// The errno posix_spawn returned (ENOENT: no such file, EACCES: not executable).
        public let code: Int32
        /// `cannot run <executable>: <errno text>`.
        public var description: String { "cannot run \(executable): \(String(cString: strerror(code)))" }
    }

    /// The outcome of a finished run.
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public let status: Int32
        /// Standard output as bytes (a converter's output need not be UTF-8).
        public let output: [UInt8]
        /// Standard error as text (bytes that are not UTF-8 become U+FFFD).
        public let stderr: String

        /// Standard output as text.
        public var stdout: String { String(decoding: output, as: UTF8.self) }
    }

    /// glibc's POSIX_SPAWN_SETSID (spawn.h, behind _GNU_SOURCE, which Swift's Glibc module does not define).
    static let setsid: Int16 = 0x80

    /// Starts `executable` with `arguments`; returns its pid. Standard input is /dev/null.
    public static func start(_ executable: String, _ arguments: [String], _ options: Options = Options()) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if options.newSession { posix_spawnattr_setflags(&attributes, setsid) }
        if let directory = options.directory { addChdir(&actions, directory) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        func route(_ fd: Int32, _ output: Output) {
            switch output {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let path, let append):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o600)
            }
        }
        route(1, options.stdout)
        if options.stderrToStdout { posix_spawn_file_actions_adddup2(&actions, 1, 2) } else { route(2, options.stderr) }
        let environment = (options.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard rc == 0 else { throw Failure(executable: executable, code: rc) }
        return pid
    }

    /// Waits for `pid` to end; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public static func wait(_ pid: pid_t) -> Int32 { waitWithUsage(pid).status }

    /// Waits for `pid` to end; its exit status and its peak resident set in KiB (from wait4's rusage).
    /// The peak includes the spawning process's memory up to `exec` (posix_spawn shares it): spawn
    /// from a small process to measure a command (`sanji-bench peak-memory`).
    public static func waitWithUsage(_ pid: pid_t) -> (status: Int32, peakKiB: Int) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        return (status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), Int(usage.ru_maxrss))
    }

    /// The exit status of `pid` if it has ended (it is then reaped), nil while it runs.
    public static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Runs `executable` to its end and returns what it wrote (through temporary files).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws -> Result {
        let tmp = FileManager.default.temporaryDirectory
        let out = tmp.appendingPathComponent("sanji-stdout-\(UUID().uuidString)").path
        let err = tmp.appendingPathComponent("sanji-stderr-\(UUID().uuidString)").path
        defer {
            unlink(out)
            unlink(err)
        }
        let pid = try start(executable, arguments, Options(environment: environment, directory: directory,
                                                           stdout: .file(out, append: false), stderr: .file(err, append: false)))
        let status = wait(pid)
        func read(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
        return Result(status: status, output: read(out), stderr: String(decoding: read(err), as: UTF8.self))
    }

    /// This program's own executable (to start another of its commands).
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's posix_spawn_file_actions_addchdir_np (2.29 on; Swift's Glibc module does not
    /// declare it), found at run time, so that no process-wide chdir is needed.
    private static let addchdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    private static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ directory: String) {
        guard let addchdir else { preconditionFailure("this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29 or later is needed)") }
        _ = directory.withCString { addchdir(&actions, $0) }
    }
}

extension Spawn {
    /// A TCP port free on loopback now (bound and released), for a server a test or benchmark
    /// starts. Nil when none could be had.
    public static func freeLoopbackPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
