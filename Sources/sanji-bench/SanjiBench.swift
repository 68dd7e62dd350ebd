import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiSpawn

/// `sanji-bench`: every performance figure of docs/benchmarks.md, each beside the physical limit
/// of the same machine measured in the same run (raw SQLite, raw ZeroMQ) or beside its goal. It
/// drives the `sanji` binary beside it: the nodes it measures are `sanji serve` processes and
/// `sanji import` / `sanji dashboard` commands; it makes its own data.
@main
struct SanjiBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sanji-bench",
        abstract: "Sanji's benchmarks, each beside its raw limit measured in the same run.",
        discussion: """
            Build in release for figures that mean something (docs/benchmarks.md):
              swift build -c release --static-swift-stdlib --product sanji && swift build -c release --static-swift-stdlib --product sanji-bench
              .build/release/sanji-bench suite            # every scenario at full size, several minutes
              .build/release/sanji-bench suite --quick    # every scenario small, in seconds (CI)
            Each scenario is a command of its own: sanji-bench <scenario> --help.
            """,
        subcommands: [Suite.self, Intake.self, Uplink.self, FanIn.self, Relay.self, Resync.self, FanOut.self, Dashboard.self, PeakMemory.self])
}

/// What every scenario takes: the `sanji` to drive, and where to work.
struct BenchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The sanji binary to drive (default: $SANJI_BIN, else the one beside sanji-bench).", valueName: "path"))
    var sanji: String?

    @Option(help: ArgumentHelp("Work here and keep the files (default: a new temporary directory, removed afterwards).", valueName: "dir"))
    var dir: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    var binary: String {
        if let sanji { return sanji }
        if let env = ProcessInfo.processInfo.environment["SANJI_BIN"], !env.isEmpty { return env }
        return URL(fileURLWithPath: Spawn.currentExecutable).deletingLastPathComponent().appendingPathComponent("sanji").path
    }

    /// A fresh working directory for `scenario`; removed by `finish` unless --dir was given.
    func workspace(_ scenario: String) throws -> URL {
        let base = URL(fileURLWithPath: dir ?? NSTemporaryDirectory() + "sanji-bench-\(scenario)-\(getpid())")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no sanji binary at \(binary); build it (swift build -c release --product sanji) or pass --sanji")
        }
        return base
    }

    func finish(_ base: URL) {
        if dir == nil { try? FileManager.default.removeItem(at: base) }
    }

    /// Prints the result: its lines, or its JSON with --json.
    func report(_ lines: [String], _ json: JSONValue) {
        print(self.json ? json.render() : lines.joined(separator: "\n"))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Bench {
    #if DEBUG
    static let build = "debug"
    #else
    static let build = "release"
    #endif

    /// Progress, on standard error.
    static func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }
    static func ms(_ s: Double) -> String { String(format: "%.0f", s * 1000) }
    static func n(_ x: Int) -> String { NumberText.thousands(x) }
    static func rate(_ x: Double) -> String { NumberText.thousands(Int(x)) }

    /// Runs `body` and turns a failure into a message and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            say("sanji-bench: error: \(error)")
            throw ExitCode(1)
        }
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    /// Seconds since the epoch, as a Double (for intervals).
    static func now() -> Double { Date().timeIntervalSince1970 }
}
