import XCTest
import SanjiCore
import SanjiSpawn
@_spi(Testing) @testable import SanjiStore

final class ImportTests: XCTestCase {
    /// Imports `body`, expects a rejection, checks nothing changed and returns the issue lines.
    func rejected(_ f: StoreFixture, cases body: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let before = try f.fingerprint()
        do {
            _ = try f.importCases(body)
            XCTFail("expected the file to be rejected", file: file, line: line)
            return []
        } catch let e as ImportRejected {
            XCTAssertEqual(try f.fingerprint(), before, "a rejected import changes nothing", file: file, line: line)
            return e.issues.map(\.description)
        }
    }

    func testEveryBadRowIsNamed_andARejectedFileChangesNothing() throws {
        let f = try StoreFixture()
        _ = try f.importCases("C0,SB001,2026-11-02 09:00,window,,,\n")
        let issues = try rejected(f, cases: """
            C1,SB001,2026-11-02 09:00,window,2026-11-02 10:00,approved,0
            C2,SB00l,2026-11-02 09:00,window,,,
            C3,XK001,2026-11-02 09:00,window,2026-11-01 10:00,approved,1
            C4,SB001,2026-11-02 09:00,teleport,,,
            C5,SB001,2026-13-02 09:00,window,,,
            C6,SB001,2026-11-02 09:00,window,2026-11-03 09:00,approved,
            C7,SB001,2026-12-25 09:00,window,,,
            C8,XK002,2026-11-02 09:00,window,,,
            C1,SB001,2026-11-02 09:00,window,,,
            C0,CJ001,2026-11-02 09:00,window,,,
            C9,SB001,2026-11-02 09:00,window,,approved,
            """)
        let expected = [
            "cases.csv:3: item_code: no item SB00l in the catalogue; closest: SB001",
            "cases.csv:4: completed_at: 2026-11-01T10:00:00+08:00 is before the case was accepted (2026-11-02T09:00:00+08:00)",
            "cases.csv:5: channel: \"teleport\" is not a channel",
            "cases.csv:6: accepted_at: \"2026-13-02 09:00\" is not a time",
            "cases.csv:7: visits: is required for a completed case",
            "cases.csv:8: accepted_at: 2026-12-25T09:00:00+08:00 is in the future",
            "cases.csv:9: item_code: item XK002 (再生育审批) is withdrawn",
            "cases.csv:10: case_no: C1 appears again (first at line 2) with different content",
            "cases.csv:11: item_code: case C0 is already recorded for item SB001, not CJ001",
            "cases.csv:12: outcome: is given but completed_at is empty",
        ]
        for e in expected {
            XCTAssertTrue(issues.contains { $0.hasPrefix(e) }, "missing: \(e)\nhave:\n\(issues.joined(separator: "\n"))")
        }
        XCTAssertEqual(issues.count, expected.count, issues.joined(separator: "\n"))
    }

    func testAnItemNotHandledAtThisLevel_isRefused() throws {
        let f = try StoreFixture()
        let village = try StoreFixture(level: .village, parent: "tcp://127.0.0.1:7701")
        // Give the village the catalogue the way the federation will: same tables, same sequence.
        let villageDB = try RawDatabase(store: village.directory)
        try villageDB.execute("ATTACH DATABASE ? AS root", [.text(NodeStore.databaseURL(in: f.directory).path)])
        try villageDB.execute("INSERT INTO main.catalog_item SELECT * FROM root.catalog_item")
        let issues = try rejected(village, cases: "V1,CJ001,2026-11-02 09:00,window,,,\n")
        XCTAssertEqual(issues, ["cases.csv:2: item_code: item CJ001 (残疾人证核发) is not handled at village level (行使层级: county|township)"])
        XCTAssertEqual(try village.importCases("V1,SB001,2026-11-02 09:00,agent,,,\n").new, 1)
    }

    func testHeaderProblems_rejectTheFile() throws {
        let f = try StoreFixture()
        do {
            _ = try f.store.importCases(name: "x.csv", bytes: Array("case_no,item,accepted_at,channel,colour\n".utf8))
            XCTFail()
        } catch let e as ImportRejected {
            let text = e.issues.map(\.description)
            XCTAssertTrue(text.contains { $0.hasPrefix("x.csv:1: item: unknown column") }, "\(text)")
            XCTAssertTrue(text.contains { $0.hasPrefix("x.csv:1: colour: unknown column") }, "\(text)")
            XCTAssertTrue(text.contains("x.csv:1: item_code: required column is missing from the header"), "\(text)")
        }
        let report = try f.store.importCases(name: "x.csv", bytes: Array("colour,case_no,item_code,accepted_at,channel\nred,A1,SB001,2026-11-02 09:00,网上\n".utf8),
                                             options: ImportOptions(ignoreExtra: true, now: StoreFixture.now))
        XCTAssertEqual(report.new, 1)
    }

    func testReimport_isIdempotent_andALaterExportCompletesTheCase() throws {
        let f = try StoreFixture()
        let first = "A1,CJ001,2026-09-29 09:00,window,,,\nA2,SB001,2026-11-02 09:00,mobile,2026-11-02 09:05,approved,0\n"
        // A1: its acceptance day and its deadline's day; A2 (即办, done the same day): one row.
        XCTAssertEqual(try f.importCases(first), { var r = ImportReport(); r.rows = 2; r.new = 2; r.summaryRows = 3; return r }())
        let rev = try f.store.currentRev()
        let summary = try f.store.summaryRows()
        let again = try f.importCases(first)
        XCTAssertEqual([again.new, again.updated, again.unchanged, again.summaryRows], [0, 0, 2, 0])
        XCTAssertEqual(try f.store.currentRev(), rev, "an unchanged re-import stamps no rev")
        XCTAssertEqual(try f.store.summaryRows(), summary)
        // The next export: A1 now completed, A3 new, A2 unchanged.
        let later = "A1,CJ001,2026-09-29 09:00,window,2026-10-14 16:00,approved,2\nA2,SB001,2026-11-02 09:00,mobile,2026-11-02 09:05,approved,0\nA3,SB001,2026-11-03 09:00,window,,,\n"
        let r = try f.importCases(later)
        XCTAssertEqual([r.new, r.updated, r.unchanged], [1, 1, 1])
        // CJ001 has 10 working days: from 29 Sep, skipping 1–2 Oct holidays and counting Saturday 10 Oct, due 14 Oct.
        let a1 = try XCTUnwrap(f.store.fetchCase("A1"))
        XCTAssertEqual(a1.deadline, Day("2026-10-14"))
        XCTAssertEqual(f.store.zone.day(of: a1.completedAt!), a1.deadline)
        // The old export again: nothing reopens.
        let stale = try f.importCases(first)
        XCTAssertEqual([stale.new, stale.updated, stale.unchanged], [0, 0, 2])
        XCTAssertNotNil(try f.store.fetchCase("A1")?.completedAt)
        XCTAssertEqual(try f.store.summaryRows(), try f.store.recomputedSummary())
    }

    func testEvaluations_badGradesNumericCodesAndFollowUps() throws {
        let f = try StoreFixture()
        _ = try f.importCases("A1,SB001,2026-11-02 09:00,window,2026-11-02 09:30,approved,1\n")
        do {
            _ = try f.importEvals("E1,A1,2,device,2026-11-02 10:00,,,\nE2,A9,满意,device,2026-11-02 10:00,,,\nE3,A1,好评,device,2026-11-02 10:00,,,\nE4,A1,满意,device,2026-11-02 10:00,2026-11-03 10:00,,\n")
            XCTFail()
        } catch let e as ImportRejected {
            let text = e.issues.map(\.description)
            XCTAssertTrue(text[0].hasPrefix("evals.csv:2: grade: \"2\" is a numeric grade; say which way the file's numbers run with --grade-codes"), "\(text)")
            XCTAssertTrue(text[1].hasPrefix("evals.csv:3: case_no: no case A9 is recorded at this station"), "\(text)")
            XCTAssertTrue(text[2].hasPrefix("evals.csv:4: grade: \"好评\" is not a grade"), "\(text)")
            XCTAssertTrue(text[3].hasPrefix("evals.csv:5: rectified_at: only a 差评"), "\(text)")
            XCTAssertEqual(text.count, 4)
        }
        // one-is-best: 4 = 不满意; five-is-best: 4 = 满意.
        XCTAssertEqual(try f.importEvals("E1,A1,4,device,2026-11-02 10:00,,,\n", codes: .oneIsBest).new, 1)
        XCTAssertEqual(try f.importEvals("E2,A1,4,device,2026-11-02 10:00,,,\n", codes: .fiveIsBest).new, 1)
        var period = try f.store.dashboard(period: Period.month(year: 2026, month: 11)!, now: StoreFixture.now).total.figures
        XCTAssertEqual(period.badReviews, 1)
        XCTAssertEqual(period.counters.gradeSatisfied, 1)
        XCTAssertEqual(period.rectificationRate, Ratio(0, 1))
        // A later export carries the 整改 and 回访.
        let r = try f.importEvals("E1,A1,4,device,2026-11-02 10:00,2026-11-05 10:00,2026-11-06 10:00,满意\n", codes: .oneIsBest)
        XCTAssertEqual(r.updated, 1)
        period = try f.store.dashboard(period: Period.month(year: 2026, month: 11)!, now: StoreFixture.now).total.figures
        XCTAssertEqual(period.rectificationRate, Ratio(1, 1))
        XCTAssertEqual(period.revisitRate, Ratio(1, 1))
        XCTAssertEqual(try f.store.summaryRows(), try f.store.recomputedSummary())
    }

    func testCatalogue_importMakesOneSequencePerChange_andOnlyTheRootOwnsIt() throws {
        let f = try StoreFixture()
        let seq = try f.store.catalog().sequence
        let same = try f.store.importCatalog(name: "items.csv", bytes: Array(StoreFixture.items.utf8))
        XCTAssertEqual(same.sequence, seq, "an unchanged catalogue makes no new sequence")
        let changed = StoreFixture.items.replacingOccurrences(of: "XK001,食品经营许可,01,县市场监管局,county,20,5,3,1,active", with: "XK001,食品经营许可,01,县市场监管局,county,20,3,4,0,active")
        let r = try f.store.importCatalog(name: "items.csv", bytes: Array(changed.utf8))
        XCTAssertEqual([r.updated, r.unchanged, r.sequence], [1, 3, seq + 1])
        XCTAssertEqual(try f.store.catalog().items["XK001"]?.promisedDays, 3)

        let bad = "code,name,type,department,levels,legal_days,promised_days,online_depth,max_visits,status\nX1,,99,部门,county|city2,5,9,5,-1,maybe\n"
        do {
            _ = try f.store.importCatalog(name: "items.csv", bytes: Array(bad.utf8))
            XCTFail()
        } catch let e as ImportRejected {
            XCTAssertEqual(Set(e.issues.map(\.field)), ["name", "type", "levels", "promised_days", "online_depth", "max_visits", "status"])
        }
        let child = try StoreFixture(level: .township, parent: "tcp://127.0.0.1:7701")
        XCTAssertThrowsError(try child.store.importCatalog(name: "items.csv", bytes: Array(StoreFixture.items.utf8))) { error in
            XCTAssertTrue("\(error)".contains("only the root owns the catalogue"), "\(error)")
        }
    }

    func testGBKCaseFile_importsLikeItsUTF8Twin() throws {
        let f = try StoreFixture()
        let text = "case_no,item_code,accepted_at,channel,applicant_name\nG1,SB001,2026-11-02 09:00,窗口,王芳\n"
        let utf8File = f.directory.appendingPathComponent("utf8.csv").path
        try text.write(toFile: utf8File, atomically: true, encoding: .utf8)
        let gbk = try Spawn.run("/usr/bin/iconv", ["-f", "UTF-8", "-t", "GBK", utf8File]).output
        XCTAssertFalse(TextDecoder.isValidUTF8(gbk))
        let r = try f.store.importCases(name: "gbk.csv", bytes: gbk, options: ImportOptions(now: StoreFixture.now))
        XCTAssertEqual([r.new], [1])
        XCTAssertEqual(r.encoding, .gb18030)
        XCTAssertEqual(try f.store.fetchCase("G1")?.applicantName, "王芳")
        XCTAssertEqual(try f.store.fetchCase("G1")?.channel, .window)
    }

    /// The CLI maps the file instead of reading it into memory; the GBK file is converted through a
    /// temporary file that is gone afterwards. Both import exactly as the same bytes in memory do.
    func testAMappedFile_importsAsItsBytesDo_andAConversionLeavesNoTemporaryFile() throws {
        let f = try StoreFixture(), twin = try StoreFixture()
        var text = "case_no,item_code,accepted_at,channel,applicant_name,completed_at,outcome,visits\n"
        for i in 0..<3_000 {
            text += "M\(i),SB001,2026-11-\(String(format: "%02d", 2 + i % 15)) 09:00,窗口,王芳,\(i % 3 == 0 ? "" : "2026-11-18 10:00"),\(i % 3 == 0 ? "" : "approved"),\(i % 3 == 0 ? "" : "1")\n"
        }
        text += "M7,SB001,2026-11-09 09:00,窗口,王芳,2026-11-18 10:00,approved,1\n"  // line 3,002 repeats line 9 exactly
        let utf8File = f.directory.appendingPathComponent("utf8.csv").path
        try text.write(toFile: utf8File, atomically: true, encoding: .utf8)
        let gbkFile = f.directory.appendingPathComponent("gbk.csv").path
        try Data(try Spawn.run("/usr/bin/iconv", ["-f", "UTF-8", "-t", "GBK", utf8File]).output).write(to: URL(fileURLWithPath: gbkFile))

        let scratch = f.directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let saved = getenv("TMPDIR").map { String(cString: $0) }
        setenv("TMPDIR", scratch.path, 1)
        defer { if let saved { setenv("TMPDIR", saved, 1) } else { unsetenv("TMPDIR") } }

        let options = ImportOptions(now: StoreFixture.now)
        let mapped = try f.store.importCases(name: "gbk.csv", input: try InputBytes.mapping(gbkFile), options: options)
        XCTAssertEqual(mapped.encoding, .gb18030)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "the converted copy is removed")
        let inMemory = try twin.store.importCases(name: "utf8.csv", bytes: Array(text.utf8), options: options)
        XCTAssertEqual([mapped.rows, mapped.new, mapped.unchanged], [3_001, 3_000, 1])
        XCTAssertEqual([inMemory.rows, inMemory.new, inMemory.unchanged, inMemory.summaryRows], [mapped.rows, mapped.new, mapped.unchanged, mapped.summaryRows])
        XCTAssertEqual(try f.fingerprint().replacingOccurrences(of: twin.store.identity.id, with: "_"),
                       try twin.fingerprint().replacingOccurrences(of: twin.store.identity.id, with: "_"))
        XCTAssertEqual(try f.store.fetchCase("M2999")?.applicantName, "王芳")

        let again = try f.store.importCases(name: "utf8.csv", input: try InputBytes.mapping(utf8File), options: options)
        XCTAssertEqual([again.new, again.updated, again.unchanged], [0, 0, 3_001], "the UTF-8 twin, mapped, is the same file")
        XCTAssertThrowsError(try InputBytes.mapping(f.directory.appendingPathComponent("absent.csv").path)) { error in
            XCTAssertTrue("\(error)".contains("absent.csv: no such file"), "\(error)")
        }
    }

    /// A file wrong on every row keeps the first problems in full and counts the rest: its
    /// rejection must not hold a message per row of a file of millions.
    func testAWhollyWrongFile_keepsTheFirstProblemsAndCountsTheRest() throws {
        let f = try StoreFixture()
        let before = try f.fingerprint()
        var body = ""
        for i in 0..<5_000 { body += "W\(i),XX999,2026-11-02 09:00,window,,,\n" }
        body += "W1,XX999,2026-11-03 09:00,window,,,\n"
        var options = ImportOptions(now: StoreFixture.now)
        options.keptProblems = 10
        XCTAssertThrowsError(try f.store.importCases(name: "cases.csv", bytes: Array(("case_no,item_code,accepted_at,channel,completed_at,outcome,visits\n" + body).utf8),
                                                     options: options)) { error in
            guard let e = error as? ImportRejected else { return XCTFail("\(error)") }
            XCTAssertEqual(e.issues.count, 10)
            XCTAssertEqual(e.total, 5_001)
            XCTAssertEqual(e.rows, 5_001)
            XCTAssertEqual(e.issues.first?.description, "cases.csv:2: item_code: no item XX999 in the catalogue")
            XCTAssertEqual(e.description, "cases.csv: rejected, nothing was imported: 5,001 problems in 5,001 rows")
        }
        XCTAssertEqual(try f.fingerprint(), before)
    }
}
