import ArgumentParser
import Foundation
import SanjiCore

extension Bench {
    struct Suite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every scenario in turn, each beside its raw limit: the figures of docs/benchmarks.md.",
            discussion: """
                Full sizes take several minutes and want a release build:
                  swift build -c release && .build/release/sanji bench suite
                --quick runs every scenario at a small size in seconds, so that none rots (CI runs it on the
                debug build; its figures mean nothing).
                """)

        @Flag(help: "Small sizes, seconds in all: to check that every scenario still runs.") var quick = false

        static let full: [[String]] = [
            ["intake", "--rows", "1000000"],
            ["uplink", "--rows", "200000", "--messages", "300000"],
            ["fanin", "--children", "500", "--seconds", "20"],
            ["relay", "--nodes", "30000", "--rows", "600000"],
            ["resync", "--days", "365"],
            ["fanout", "--townships", "20", "--villages", "400", "--items", "200"],
            ["dashboard"],
        ]
        static let small: [[String]] = [
            ["intake", "--rows", "20000"],
            ["uplink", "--rows", "5000", "--messages", "5000"],
            ["fanin", "--children", "20", "--seconds", "2"],
            ["relay", "--nodes", "300", "--rows", "6000"],
            ["resync", "--days", "30"],
            ["fanout", "--townships", "2", "--villages", "10", "--items", "20"],
            ["dashboard", "--townships", "2", "--villages", "6", "--years", "1", "--runs", "1"],
        ]

        func run() throws {
            let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            var failed: [String] = []
            for args in quick ? Self.small : Self.full {
                Console.error("== sanji bench \(args.joined(separator: " "))")
                let status = try Self.spawn(me, ["bench"] + args)
                if status != 0 { failed.append(args[0]) }
            }
            if !failed.isEmpty {
                Console.error("sanji: error: failed: \(failed.joined(separator: ", "))")
                throw ExitCode(1)
            }
        }

        /// Runs a command with this process's output streams and waits for it.
        static func spawn(_ path: String, _ args: [String]) throws -> Int32 {
            var argv = ([path] + args).map { strdup($0) } + [nil]
            defer { for a in argv { free(a) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, path, nil, nil, &argv, environ)
            guard rc == 0 else { throw SanjiError(.io, "cannot run \(path): \(String(cString: strerror(rc)))") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        }
    }
}
