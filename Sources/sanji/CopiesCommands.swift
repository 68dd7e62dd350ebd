import ArgumentParser
import Foundation
import SanjiCore
import SanjiFixtures
import SanjiReport
import SanjiStore

/// Moving a station to another PC, and two copies of one station (docs/operations.md).
struct Retire: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move this station to another PC: copy its store and keys out, and retire this copy.",
        discussion: """
            On the old PC, with sanji serve stopped:
              sanji retire --out /mnt/usb/340321100201 --data ./sanji-data
            Then on the new PC, use that directory as the station's data (copy it into place) and start
            sanji serve there. The new place makes it a new copy of the station, which its parent takes
            over from the retired one; the retired copy refuses to record or serve from now on, so the
            two can never run at once. Do not copy a data directory by hand while it runs: the parent
            would then see two copies of one station and refuse one of them.
            """)

    @Option(help: ArgumentHelp("A new, empty directory to copy the store and keys into.", valueName: "dir")) var out: String
    @OptionGroup var options: DataOptions

    func run() throws {
        try Console.run {
            let store = try options.open()
            try store.retire(to: URL(fileURLWithPath: out))
            print("""
                copied \(store.identity.id) (\(store.identity.name)) to \(out), and retired this copy.
                On the new PC: use \(out) as the data directory and start `sanji serve --data <it>`.
                """)
        }
    }
}

struct Copies: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The copies of this node's children: which is accepted, and any refused second copy.",
        discussion: """
            A station copied to a second PC while the first still runs is two copies of one station. The
            parent accepts one and refuses the other (nothing of it is counted, nothing is lost: it keeps
            its records), shows it on the dashboard's attention list, and logs it. To resolve it:
              1. at the copy to give up, `sanji export cases|evals --from <day it was copied>` and import
                 those files at the copy to keep (imports are idempotent), then `sanji retire` it;
              2. at the parent, say which copy to keep:
                   sanji copies keep --id 340321101202 --copy 9f3c2a71d04be6a8
            """,
        subcommands: [List.self, Keep.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the children's copies.")
        @Option(help: "table or json.") var format: OutputFormat = .table
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                let copies = try store.childCopies()
                let z = store.zone
                func time(_ t: Int64?) -> String { t.map { z.format(Timestamp(seconds: $0)) } ?? "" }
                if format == .json {
                    print(JSONValue.array(copies.map { c in .object([
                        ("child", .string(c.child)), ("accepted", .string(c.current)), ("refused", c.refused.map(JSONValue.string) ?? .null),
                        ("refused_since", c.refusedFirst.map { .string(time($0)) } ?? .null), ("refused_last", c.refusedLast.map { .string(time($0)) } ?? .null),
                    ]) }).render())
                    return
                }
                var t = TextTable(headers: ["child", "accepted copy", "refused copy", "refused since", "last tried"], alignments: Array(repeating: .left, count: 5))
                for c in copies { t.add([c.child, c.current, c.refused ?? "—", time(c.refusedFirst), time(c.refusedLast)]) }
                print(t.render())
                let conflicts = copies.filter { $0.refused != nil }.count
                print(conflicts == 0 ? "no child runs two copies" : "\(conflicts) child(ren) with a refused second copy: see `sanji copies --help`")
            }
        }
    }

    struct Keep: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say which copy of a child to accept from now on; the other is refused until it is retired.")
        @Option(help: ArgumentHelp("The child's node id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("The copy to keep (its id, as `sanji copies` lists it).", valueName: "copy")) var copy: String
        @OptionGroup var options: DataOptions

        func run() throws {
            try Console.run {
                let store = try options.open()
                try store.keepCopy(child: id, incarnation: copy)
                print("\(id): copy \(copy) is the one accepted from now on; retire the other at its PC (sanji retire)")
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write this station's cases or evaluations as the CSV files `sanji import` reads (applicant details included).",
        discussion: """
            For moving records between copies of one station, or to a rebuilt store. The file holds applicant
            details: it is for this station's own use and must not be sent anywhere else.
              sanji export cases --from 2026-11-01 --out cases.csv
              sanji export evals --out evals.csv
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case cases, evals }

    @Argument(help: "cases or evals.") var kind: Kind
    @Option(help: ArgumentHelp("Only records from this day on (YYYY-MM-DD).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("The file to write.", valueName: "file")) var out: String
    @OptionGroup var options: DataOptions

    func validate() throws {
        if let from, let problem = Day.problem(from) { throw ValidationError("--from \(from): \(problem)") }
    }

    func run() throws {
        try Console.run {
            let store = try NodeStore.open(in: options.directory, allowRetired: true)
            let z = store.zone
            let day = from.flatMap { Day($0) }
            var lines: [String]
            switch kind {
            case .cases:
                lines = [ActivitySimulator.caseHeader]
                for c in try store.exportCases(from: day) {
                    lines.append(CSVWriter.line([c.caseNo, c.itemCode, z.format(c.acceptedAt), c.channel.rawValue, c.completedAt.map(z.format) ?? "",
                                                 c.outcome?.rawValue ?? "", c.visits.map(String.init) ?? "", c.assisted ? "1" : "0",
                                                 c.applicantName ?? "", c.applicantId ?? ""]))
                }
            case .evals:
                lines = [ActivitySimulator.evalHeader]
                for e in try store.exportEvaluations(from: day) {
                    lines.append(CSVWriter.line([e.evalId, e.caseNo ?? "", e.grade.rawValue, e.channel.rawValue, z.format(e.evaluatedAt),
                                                 e.rectifiedAt.map(z.format) ?? "", e.revisitedAt.map(z.format) ?? "", e.revisitGrade?.rawValue ?? "",
                                                 e.named ? "1" : "0"]))
                }
            }
            do {
                try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw SanjiError(.io, "cannot write \(out): \(error.localizedDescription)")
            }
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: out)
            print("wrote \(lines.count - 1) \(kind == .cases ? "case" : "evaluation") rows to \(out) (applicant details included: keep it at this station)")
        }
    }
}
