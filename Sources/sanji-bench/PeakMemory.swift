import ArgumentParser
import Foundation
import SanjiSpawn

extension SanjiBench {
    /// Runs a command and writes its peak resident set, measured from a small process.
    ///
    /// Linux counts, in a process's peak resident set (`ru_maxrss`), the memory of the process
    /// it was spawned from, up to its `exec`: `posix_spawn` shares the parent's memory until then.
    /// A benchmark holding a million generated rows would lend them to every `sanji` it starts.
    /// Started as a fresh process of its own, this one is small when it spawns the command.
    struct PeakMemory: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "peak-memory", abstract: "Run a command; write its peak resident set (KiB) to a file. Used by the other scenarios.",
            shouldDisplay: false)

        @Argument(help: "Where to write the peak, in KiB.") var output: String
        @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String]

        func run() throws {
            let command = self.command.first == "--" ? Array(self.command.dropFirst()) : self.command
            guard let executable = command.first else { throw ValidationError("give a command") }
            let pid = try Spawn.start(executable, Array(command.dropFirst()))
            let (status, peak) = Spawn.waitWithUsage(pid)
            try "\(peak)\n".write(toFile: output, atomically: true, encoding: .utf8)
            throw ExitCode(status)
        }
    }

    /// Runs `arguments` of the `sanji` binary to its end through `peak-memory`: its output and its own peak resident set.
    static func runMeasured(_ sanji: String, _ arguments: [String], scratch: URL) throws -> (result: Spawn.Result, peakKiB: Int) {
        let file = scratch.appendingPathComponent("peak-\(UUID().uuidString)").path
        defer { unlink(file) }
        let r = try Spawn.run(Spawn.currentExecutable, ["peak-memory", file, "--", sanji] + arguments)
        let peak = Int((try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        return (r, peak)
    }
}
