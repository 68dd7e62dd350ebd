import ArgumentParser
import Foundation
import SanjiSpawn

extension SanjiBench {
    struct Suite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every scenario in turn, each beside its raw limit: the figures of docs/benchmarks.md.",
            discussion: """
                Full sizes take several minutes and want a release build:
                  swift build -c release --static-swift-stdlib --product sanji && swift build -c release --static-swift-stdlib --product sanji-bench
                  .build/release/sanji-bench suite
                --quick runs every scenario at a small size in seconds, so that none rots (CI runs it on the
                debug build; its figures mean nothing).
                """)

        @Flag(help: "Small sizes, seconds in all: to check that every scenario still runs.") var quick = false
        @Option(help: ArgumentHelp("The sanji binary to drive (default: $SANJI_BIN, else the one beside sanji-bench).", valueName: "path"))
        var sanji: String?

        static let full: [[String]] = [
            ["intake", "--rows", "1000000", "--runs", "3"],
            ["uplink", "--rows", "200000", "--messages", "300000"],
            ["fanin", "--children", "2000", "--seconds", "20"],
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
            var failed: [String] = []
            for args in quick ? Self.small : Self.full {
                Bench.say("== sanji-bench \(args.joined(separator: " "))")
                let pid = try Spawn.start(Spawn.currentExecutable, args + (sanji.map { ["--sanji", $0] } ?? []))
                if Spawn.wait(pid) != 0 { failed.append(args[0]) }
            }
            if !failed.isEmpty {
                Bench.say("sanji-bench: error: failed: \(failed.joined(separator: ", "))")
                throw ExitCode(1)
            }
        }
    }
}
