import ArgumentParser
import Foundation
import SanjiCore
import SanjiReport
import SanjiStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that every node below this one agrees with this node's copy of its rows, and heal those that do not.",
        discussion: """
            Run it where `sanji serve` runs (usually the county):
              sanji verify --data ./county
            Serve asks each node, through the tree, for a digest of its own summary rows and exception
            records per month; each digest is compared with this node's copy. A month that differs
            although this copy has seen the node's latest rows is healed: the node stamps those rows
            anew and sends them up again. A month whose rows are still on their way is waited for,
            then healed too.
            A month where this copy holds rows the node no longer has ("extra": a store restored
            from an older backup, a write-ahead log lost) cannot be healed by sending again. Either
            re-import the node's exports for those months at the node (its truth then has them
            again), or let the node's truth win: `sanji verify --drop-extra` has it seal the months,
            and every copy on the way drops what the node does not have.
            A node with two copies running (two PCs) is not healed from until that is resolved
            (`sanji copies`).
            Exit status: 0 when every node answered and agrees (after healing), 1 otherwise.
            """)

    @Option(help: ArgumentHelp("Give up waiting for answers and healing after this many seconds.", valueName: "seconds"))
    var timeout: Double = 60
    @Flag(help: "Only list the differences; do not ask nodes to send their rows again.") var noHeal = false
    @Flag(help: "Where this copy holds rows a node no longer has, let the node's truth win: the node seals those months and every copy drops the rest.")
    var dropExtra = false
    @Option(help: "table or json.") var format: OutputFormat = .table
    @Flag(help: "Show how many nodes have answered even when stderr is not a terminal (it shows on a terminal anyway).") var progress = false
    @OptionGroup var options: DataOptions

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be above 0 seconds") }
        if noHeal, dropExtra { throw ValidationError("--drop-extra heals; leave out --no-heal") }
        if format == .csv { throw ValidationError("--format csv is not offered here; use table or json") }
    }

    func run() throws {
        try Console.run {
            let store = try options.open()
            guard ServeLock.holder(in: options.directory) != nil else {
                throw SanjiError(.io, "sanji serve is not running for \(options.directory.path); the question travels through it",
                                 hint: "start it (sanji serve --data \(options.directory.path)), then run sanji verify again")
            }
            let nodes = try store.subtree()
            guard !nodes.isEmpty else {
                print("no node is enrolled below \(store.identity.id); nothing to verify")
                return
            }
            var check = AgreementCheck(store: store, nodes: nodes, deadline: Date().addingTimeInterval(timeout), heal: !noHeal, dropExtra: dropExtra)
            check.forceProgress = progress
            let results = try check.run()
            print(format == .json ? check.json(results) : check.table(results))
            if format == .table, results.contains(where: { $0.outcome == .extra }) {
                print("""

                    "extra": this copy holds rows those nodes no longer have. Re-import the nodes' exports for those months
                    at the nodes, or let their truth win: sanji verify --drop-extra --data \(options.directory.path)
                    """)
            }
            if format == .table, results.contains(where: { $0.outcome == .copies }) {
                print("\n\"two copies\": two PCs run one station; see `sanji copies` at its parent (docs/operations.md).")
            }
            if !results.allSatisfy(\.ok) { throw ExitCode(1) }
        }
    }
}

/// One run of `sanji verify`: ask, compare, heal, ask again until all agree or time is up.
struct AgreementCheck {
    enum Outcome: String {
        case agrees, healed, differs, behind, extra, copies = "two copies", noAnswer = "no answer"
    }

    struct Result {
        var node: SubtreeNode
        var outcome: Outcome
        var months: [String] = []
        var rows = 0
        var ok: Bool { outcome == .agrees || outcome == .healed }
    }

    let store: NodeStore
    let nodes: [SubtreeNode]
    let deadline: Date
    let heal: Bool
    let dropExtra: Bool
    /// How long rows still on their way are given to arrive before they are sent again.
    var settle: TimeInterval = 10
    /// `--progress`: the count of answers even when stderr is not a terminal.
    var forceProgress = false

    func progress(_ text: String) { Console.error(text) }

    /// Asks once; waits until every node in `waitFor` has answered, or no new answer came for
    /// `quiet` seconds (nodes offline do not hold the check up), or `until` passes.
    func ask(waitFor: Set<String>, until: Date, quiet: TimeInterval = 5) throws -> [String: [MonthDigest]] {
        let request = try store.askVerify()
        defer { try? store.finishVerify(request: request) }
        var answers: [String: [MonthDigest]] = [:]
        var lastNews = Date()
        let line = CountProgress("answers", unit: "nodes", force: forceProgress)
        defer { line.finish() }
        while true {
            let now = try store.verifyAnswers(request: request)
            if now.count > answers.count { lastNews = Date() }
            answers = now
            line.update(waitFor.intersection(answers.keys).count, of: waitFor.count)
            if waitFor.isSubset(of: answers.keys) || Date() >= until || Date().timeIntervalSince(lastNews) >= quiet { return answers }
            Thread.sleep(forTimeInterval: 0.05)  // polling the store for a condition, bounded by `until`
        }
    }

    /// Compares the answers of `origins` (all by default) with this node's copies.
    func compare(_ answers: [String: [MonthDigest]], only origins: Set<String>? = nil) throws -> [String: (Agreement, rows: Int)] {
        var out: [String: (Agreement, rows: Int)] = [:]
        for (origin, digests) in answers where origins?.contains(origin) ?? true {
            out[origin] = (Agreement.compare(origin: digests, copy: try store.digests(origin: origin)), digests.reduce(0) { $0 + $1.rows })
        }
        return out
    }

    /// Asks again and compares again, but only for the origins that did not agree: reading a
    /// county's copy costs a pass over its rows, and nodes that agree are done.
    func recheck(_ current: inout [String: (Agreement, rows: Int)]) throws {
        let pending = Set(current.filter { !$0.value.0.agrees }.keys)
        for (origin, result) in try compare(try ask(waitFor: pending, until: deadline), only: pending) { current[origin] = result }
    }

    func run() throws -> [Result] {
        let started = Date()
        progress("asking \(nodes.count) node(s) for digests of their rows…")
        let first = try compare(try ask(waitFor: Set(nodes.map(\.id)), until: deadline))
        let answered = Set(first.keys)
        progress("\(answered.count) of \(nodes.count) answered in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        var current = first
        var healedMonths: [String: [String]] = [:]
        let settleUntil = min(deadline, Date().addingTimeInterval(settle))
        // Rows on their way: ask again until they arrive or the settling time is over.
        while current.values.contains(where: { !$0.0.behind.isEmpty }), Date() < settleUntil {
            Thread.sleep(forTimeInterval: 0.2)  // let the uplink move before asking again; bounded by `settleUntil`
            try recheck(&current)
        }
        // A node with two copies running is never healed from: which copy's rows would be the truth?
        let conflicted = Set(nodes.filter { !$0.copyConflict.isEmpty }.map(\.id))
        if heal {
            for (origin, (agreement, _)) in current.sorted(by: { $0.key < $1.key }) where !agreement.agrees && !conflicted.contains(origin) {
                if dropExtra, !agreement.extra.isEmpty {
                    let months = agreement.extra + agreement.differs + agreement.behind
                    progress("\(origin) no longer has some rows of \(agreement.extra.joined(separator: ", ")); asking it to seal \(months.joined(separator: ", "))")
                    try store.askHeal(origin: origin, months: months, seal: true)
                    healedMonths[origin] = months
                    continue
                }
                let months = agreement.differs + agreement.behind
                guard !months.isEmpty else { continue }
                progress("\(origin) differs in \(months.joined(separator: ", ")); asking it to send those rows again")
                try store.askHeal(origin: origin, months: months)
                healedMonths[origin] = months
            }
            while !healedMonths.isEmpty, current.values.contains(where: { !$0.0.agrees }), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.2)  // the healed rows travel up; bounded by the deadline
                try recheck(&current)
            }
        }
        return nodes.map { node in
            if conflicted.contains(node.id) { return Result(node: node, outcome: .copies) }
            guard let (agreement, rows) = current[node.id] else { return Result(node: node, outcome: .noAnswer) }
            if !agreement.extra.isEmpty { return Result(node: node, outcome: .extra, months: agreement.extra, rows: rows) }
            if agreement.agrees {
                if let months = healedMonths[node.id] { return Result(node: node, outcome: .healed, months: months, rows: rows) }
                return Result(node: node, outcome: .agrees, rows: rows)
            }
            if !agreement.differs.isEmpty || healedMonths[node.id] != nil {
                return Result(node: node, outcome: .differs, months: agreement.differs + agreement.behind, rows: rows)
            }
            return Result(node: node, outcome: .behind, months: agreement.behind, rows: rows)
        }
    }

    func table(_ results: [Result]) -> String {
        var t = TextTable(headers: ["node", "name", "level", "rows", "result", "months"], alignments: [.left, .left, .left, .right, .left, .left])
        for r in results {
            t.add([r.node.id, r.node.name, r.node.level.rawValue, r.outcome == .noAnswer ? "-" : NumberText.thousands(r.rows),
                   r.outcome.rawValue, r.months.joined(separator: " ")])
        }
        var counts: [String] = []
        for (o, plural) in [(Outcome.agrees, "agree"), (.healed, "healed"), (.differs, "differ"), (.behind, "behind"), (.extra, "extra"),
                            (.copies, "two copies"), (.noAnswer, "no answer")] {
            let n = results.filter { $0.outcome == o }.count
            if n > 0 { counts.append("\(n) \(n == 1 ? o.rawValue : plural)") }
        }
        return t.render() + "\n\(results.count) node(s): " + counts.joined(separator: ", ")
    }

    func json(_ results: [Result]) -> String {
        JSONValue.object([
            ("node", .string(store.identity.id)),
            ("agree", .bool(results.allSatisfy(\.ok))),
            ("nodes", .array(results.map { r in .object([
                ("id", .string(r.node.id)), ("name", .string(r.node.name)), ("level", .string(r.node.level.rawValue)),
                ("result", .string(r.outcome.rawValue)), ("rows", r.outcome == .noAnswer ? .null : .int(r.rows)),
                ("months", .array(r.months.map(JSONValue.string))),
            ]) })),
        ]).render()
    }
}
