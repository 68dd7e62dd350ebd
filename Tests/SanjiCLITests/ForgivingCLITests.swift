import Foundation
import XCTest

/// The mistakes people make at a station's keyboard, each answered with the right command; and
/// every `sanji …` the CLI's messages and help texts tell people to type names a command and
/// options that exist.
final class ForgivingCLITests: XCTestCase {
    var sanji: SanjiProcess!

    override func setUp() { sanji = SanjiProcess() }
    override func tearDown() { sanji.cleanUp() }

    func initCounty() throws {
        try sanji.ok(["init", "--id", "340321", "--name", "怀远县政务服务中心", "--level", "county"])
    }

    func mistake(_ args: [String], says expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try sanji.run(args)
        XCTAssertEqual(r.status, 64, "sanji \(args.joined(separator: " ")) is a usage error:\n\(r.stderr)", file: file, line: line)
        for e in expected { XCTAssertTrue(r.stderr.contains(e), "sanji \(args.joined(separator: " ")) should say \(e):\n\(r.stderr)", file: file, line: line) }
    }

    func testAMistypedCommandOrOption_isNamed_withTheClosestThatExist() throws {
        try initCounty()
        try mistake(["dashbaord"], says: ["`sanji dashbaord`: there is no such command", "did you mean `sanji dashboard`?"])
        try mistake(["import", "case", "cases.csv"], says: ["`sanji import case`", "did you mean `sanji import cases`?"])
        try mistake(["dashboard", "--mnth", "2026-11"], says: ["`sanji dashboard` has no option --mnth; did you mean --month?"])
        try mistake(["case", "accept", "--case-no", "1", "--item", "X", "--accepted-at", "2026-11-03"],
                    says: ["`sanji case accept` has no option --accepted-at", "See 'sanji case accept --help'"])
        try mistake(["frobnicate"], says: ["there is no such command", "The commands of `sanji`: init,"])
        // A command with a default subcommand takes that one's options (`sanji copies` lists).
        for ok in [["copies"], ["keys"], ["window"], ["targets", "--year", "2026"]] {
            let r = try sanji.run(ok)
            XCTAssertEqual(r.status, 0, "sanji \(ok.joined(separator: " ")) --data …: \(r.stderr)")
        }
        try mistake(["copies", "--dta", "x"], says: ["has no option --dta; did you mean --data?"])
    }

    func testANegativeNumber_isReadAsAValue_andRefusedForWhatItIs() throws {
        try initCounty()
        let r = try sanji.run(["case", "complete", "--case-no", "2026110001", "--visits", "-1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertFalse(r.stderr.contains("Missing value"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--visits -1"), "the value itself is named:\n\(r.stderr)")
    }

    func testAKeyBeginningWithADash_isTheOptionsValue() throws {
        try initCounty()
        // A CURVE public key may begin with '-': as the next argument it is still --key's value.
        let key = "-" + String(try sanji.ok(["keys", "show"]).trimmingCharacters(in: .whitespacesAndNewlines).dropFirst())
        let r = try sanji.run(["enroll", "--id", "340321100", "--key", key, "--name", "城关镇"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("enrolled township node 340321100"), r.stdout)
    }

    func testAVillageWithoutAParent_mustSayItIsARoot() throws {
        try mistake(["init", "--id", "340321100201", "--name", "村", "--level", "village"],
                    says: ["a village without --parent would be a root", "--root"])
        try sanji.ok(["init", "--id", "340321100201", "--name", "村", "--level", "village", "--root"])
    }

    func testADataPathAtTheStoreFile_meansItsDirectory() throws {
        try initCounty()
        let r = try sanji.run(["status", "--data", sanji.data.appendingPathComponent("sanji.sqlite").path], useDataFlag: false)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("340321"), r.stdout)
    }

    func testADayThatDoesNotExist_isCalledSo() throws {
        try initCounty()
        try mistake(["dashboard", "--from", "2026-02-30"], says: ["there is no 2026-02-30 (2026-02 has 28 days)"])
        try mistake(["dashboard", "--month", "2026-13"], says: ["--month 2026-13: there is no month 13"])
    }

    /// Long work shows progress on a terminal; into a pipe only with --progress.
    func testProgress_isShownWhenAskedFor_andSilentInAPipeOtherwise() throws {
        try initCounty()
        try sanji.ok(["catalog", "import", "nodes/huaiyuan/items.csv"])
        let items = try String(contentsOfFile: SanjiProcess.repoRoot.appendingPathComponent("nodes/huaiyuan/items.csv").path, encoding: .utf8)
        let item = try XCTUnwrap(items.split(separator: "\n").dropFirst().first { $0.contains("county") }?.split(separator: ",").first.map(String.init))
        let rows = (1...300).map { "2026\(String(format: "%06d", $0)),\(item),2026-11-02 09:00,网上" }.joined(separator: "\n")
        let file = try sanji.write("cases.csv", "case_no,item_code,accepted_at,channel\n" + rows + "\n")
        let quiet = try sanji.run(["import", "cases", file])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "", "silent into a pipe")
        let dashboard = try sanji.run(["dashboard", "--month", "2026-11", "--progress"])
        XCTAssertEqual(dashboard.status, 0, dashboard.stderr)
        XCTAssertTrue(dashboard.stderr.contains("bringing the monthly rollups up to date:") && dashboard.stderr.contains("100 %"), dashboard.stderr)
        XCTAssertTrue(try sanji.run(["dashboard", "--month", "2026-11", "--progress"]).stderr.isEmpty, "rollups up to date: nothing to show")
        let again = try sanji.run(["import", "cases", file, "--progress"])
        XCTAssertTrue(again.stderr.contains("300 rows") && again.stderr.contains("rows/s"), again.stderr)
    }

    /// Every `sanji …` in a message or help text of the sources: its subcommands exist, and each
    /// option it names is one that command has.
    func testEveryHint_namesACommandAndOptionsThatExist() throws {
        let sources = SanjiProcess.repoRoot.appendingPathComponent("Sources")
        var hints: [(place: String, words: [String])] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" && !$0.path.contains("/sanji-bench/") }
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (n, line) in lines.enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }   // comments are for us, not for the people at a station
                var rest = Substring(line)
                while let r = rest.range(of: "sanji ") {
                    let before = rest[..<r.lowerBound].last
                    rest = rest[r.upperBound...]
                    if let before, before.isLetter || before == "-" || before == "/" { continue }
                    // Up to the end of the hint: a backtick, a quote, a parenthesis or the line's end.
                    let end = rest.firstIndex { "`\")#;?".contains($0) } ?? rest.endIndex
                    let words = rest[..<end].split(separator: " ").map(String.init)
                    guard let first = words.first, first.first?.isLowercase == true, first.allSatisfy({ $0.isLetter || $0 == "-" }) else { continue }
                    hints.append(("\(file.lastPathComponent):\(n + 1)", words))
                }
            }
        }
        XCTAssertGreaterThan(hints.count, 60, "the hints were found")
        var help: [String: (subcommands: Set<String>, options: Set<String>)] = [:]
        func describe(_ path: [String]) throws -> (subcommands: Set<String>, options: Set<String>) {
            let key = path.joined(separator: " ")
            if let known = help[key] { return known }
            let r = try sanji.run(path + ["--help-hidden"], useDataFlag: false)
            XCTAssertEqual(r.status, 0, "sanji \(key) --help-hidden: \(r.stderr)")
            let text = r.stdout
            var subcommands: Set<String> = []
            if let s = text.range(of: "SUBCOMMANDS:") {
                for line in text[s.upperBound...].split(separator: "\n") where line.hasPrefix("  ") && !line.hasPrefix("    ") {
                    if let name = line.split(separator: " ").first { subcommands.insert(String(name)) }
                }
            }
            let usage = text.range(of: "USAGE:").map { String(text[$0.lowerBound...]) } ?? text
            let options = Set(usage.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") }).filter { $0.hasPrefix("--") }.map(String.init))
            help[key] = (subcommands, options)
            return (subcommands, options)
        }
        let prose: Set<String> = ["computes", "binary"]   // "what sanji computes", "upgrade this sanji binary"
        var wrong: [String] = []
        for hint in hints {
            var path: [String] = []
            var words = hint.words[...]
            while let w = words.first, !w.hasPrefix("-") {
                let here = try describe(path)
                if here.subcommands.isEmpty { break }
                guard here.subcommands.contains(w) else {
                    if !(path.isEmpty && prose.contains(w)) { wrong.append("\(hint.place): `sanji \(hint.words.joined(separator: " "))`: no command \(w)") }
                    break
                }
                path.append(w)
                words = words.dropFirst()
            }
            let options = try describe(path).options
            for w in words where w.hasPrefix("--") {
                let name = String(w.split(separator: "=")[0]).trimmingCharacters(in: CharacterSet(charactersIn: ".,:'"))
                if name.count > 2, !options.contains(name) {
                    wrong.append("\(hint.place): `sanji \(hint.words.joined(separator: " "))`: `sanji \(path.joined(separator: " "))` has no \(name)")
                }
            }
        }
        XCTAssertEqual(wrong, [], "hints that name what does not exist")
    }
}
