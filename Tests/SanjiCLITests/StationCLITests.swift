import Foundation
import SanjiTestSupport
import SanjiCore
@_spi(Testing) import SanjiStore
import XCTest

/// End to end: the README's single-station tour, run through the built binary.
final class StationCLITests: XCTestCase {
    var sanji: SanjiProcess!

    override func setUp() { sanji = SanjiProcess() }
    override func tearDown() { sanji.cleanUp() }

    func initCounty() throws {
        try sanji.ok(["init", "--id", "340321", "--name", "怀远县政务服务中心", "--level", "county"])
        try sanji.ok(["catalog", "import", "nodes/huaiyuan/items.csv"])
        try sanji.ok(["calendar", "import", "nodes/huaiyuan/calendar-2026.csv"])
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func testTheStationTour_fromInitToDashboard() throws {
        try initCounty()
        let items = try XCTUnwrap(try json(try sanji.ok(["catalog", "list", "--level", "village", "--format", "json"])) as? [[String: Any]])
        XCTAssertEqual(items.count, 17)
        XCTAssertEqual(Set(items[0].keys), ["code", "name", "type", "department", "levels", "legal_days", "promised_days", "online_depth", "max_visits", "status"])
        let countyItems = try XCTUnwrap(try json(try sanji.ok(["catalog", "list", "--level", "county", "--format", "json"])) as? [[String: Any]])
        let item = try XCTUnwrap(countyItems.first { ($0["promised_days"] as? Int) == 0 && ($0["levels"] as? [String])?.contains("village") == true }?["code"] as? String)

        let accepted = try sanji.ok(["case", "accept", "--case-no", "2026110001", "--item", item, "--channel", "window", "--at", "2026-11-02 09:00"])
        XCTAssertTrue(accepted.contains("due 2026-11-02"), accepted)
        let completed = try sanji.ok(["case", "complete", "--case-no", "2026110001", "--visits", "1", "--outcome", "approved", "--at", "2026-11-02 09:20"])
        XCTAssertTrue(completed.contains("on time"), completed)
        let e1 = try sanji.ok(["eval", "add", "--case-no", "2026110001", "--grade", "非常满意", "--channel", "device", "--at", "2026-11-02 09:30"])
        XCTAssertTrue(e1.contains("340321-E000001"), e1)
        let e2 = try sanji.ok(["eval", "add", "--case-no", "2026110001", "--grade", "不满意", "--at", "2026-11-02 09:31"])
        XCTAssertTrue(e2.contains("340321-E000002"), e2)
        try sanji.ok(["eval", "rectify", "340321-E000002", "--at", "2026-11-04 10:00"])
        try sanji.ok(["eval", "revisit", "340321-E000002", "--grade", "满意", "--at", "2026-11-05 10:00"])

        let cases = try sanji.write("cases.csv", """
            case_no,item_code,accepted_at,channel,completed_at,outcome,visits,assisted,applicant_name,applicant_id
            2026110002,\(item),2026-11-03T10:00:00+08:00,网上,2026-11-03T10:10:00+08:00,准予,0,,李四,340321199001011234
            2026110003,\(item),2026-11-03 11:00,代办,,,,1,王五,
            """)
        let imported = try sanji.ok(["import", "cases", cases])
        XCTAssertTrue(imported.contains("2 case rows: 2 new, 0 updated, 0 unchanged"), imported)
        let again = try sanji.ok(["import", "cases", cases])
        XCTAssertTrue(again.contains("2 case rows: 0 new, 0 updated, 2 unchanged"), again)

        let report = try XCTUnwrap(try json(try sanji.ok(["dashboard", "--month", "2026-11", "--format", "json"])) as? [String: Any])
        XCTAssertEqual((report["period"] as? [String: String])?["from"], "2026-11-01")
        let total = try XCTUnwrap(report["total"] as? [String: Any])
        XCTAssertEqual(total["accepted"] as? Int, 3)
        XCTAssertEqual(total["completed"] as? Int, 2)
        XCTAssertEqual(total["completion_rate"] as? Double ?? 0, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(total["on_time_rate"] as? Double, 1)
        XCTAssertEqual(total["online_share"] as? Double ?? 0, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(total["avg_visits"] as? Double, 0.5)
        XCTAssertEqual(total["assisted"] as? Int, 1)
        XCTAssertEqual(total["evaluations"] as? Int, 2)
        XCTAssertEqual(total["bad_reviews"] as? Int, 1)
        XCTAssertEqual(total["satisfaction_rate"] as? Double, 0.5)
        XCTAssertEqual(total["rectification_rate"] as? Double, 1)
        XCTAssertEqual((total["grades"] as? [String: Int])?["非常满意"], 1)
        XCTAssertEqual(total["nodes"] as? Int, 1)
        XCTAssertEqual(total["nodes_reporting"] as? Int, 1)
        let levels = try XCTUnwrap(report["levels"] as? [[String: Any]])
        XCTAssertEqual(levels.map { $0["level"] as? String }, ["county", "township", "village"])
        let catalog = try XCTUnwrap(report["catalog"] as? [[String: Any]])
        // 依申请 and 公共服务 items only: the county's three 依职权 items are not offered to applicants.
        XCTAssertEqual(catalog.map { $0["items"] as? Int }, [59, 45, 17])
        for key in ["online_rate", "full_online_rate", "immediate_share", "max_one_visit_share", "zero_visit_share", "time_compression_ratio"] {
            XCTAssertNotNil(catalog[0][key] as? Double, key)
        }

        XCTAssertEqual(total["open_start"] as? Int, 0)
        XCTAssertEqual(total["open_end"] as? Int, 1)
        XCTAssertEqual(total["overdue_open_end"] as? Int, 1, "the 代办 case, 即办 and still open")

        // The table shows the same figures, percentages rounded half up to 0.01 % (the default).
        let table = try sanji.ok(["dashboard", "--month", "2026-11"])
        XCTAssertTrue(table.contains("66.67%"), table)
        XCTAssertTrue(table.contains("村（社区）"), table)
        let english = try sanji.ok(["dashboard", "--month", "2026-11", "--lang", "en"])
        XCTAssertTrue(english.contains("Satisfaction") && english.contains("50.00%"), english)
        let csv = try sanji.ok(["dashboard", "--month", "2026-11", "--format", "csv"])
        XCTAssertTrue(csv.contains("cases,total,accepted,3\n"), csv)
        XCTAssertTrue(csv.contains("cases,total,grade:不满意,1\n"), csv)
    }

    /// What a county statistician signs (issue 11): the catalogue in scope, the county's rounding,
    /// grade codes by direction, 回访 after 整改, appeals, and no report for a month not yet begun.
    func testFiguresByDefinitionsACountyCanSign() throws {
        try initCounty()
        func catalogRates() throws -> (online: Double, compression: Double, items: Int) {
            let d = try XCTUnwrap(try json(try sanji.ok(["dashboard", "--format", "json"])) as? [String: Any])
            let county = try XCTUnwrap((d["catalog"] as? [[String: Any]])?.first)
            return (county["online_rate"] as! Double, county["time_compression_ratio"] as! Double, county["items"] as! Int)
        }
        // The sample county, scoped to what applicants can ask for, and then every item.
        var rates = try catalogRates()
        XCTAssertEqual(rates.items, 59)
        XCTAssertEqual(rates.online, 58.0 / 59.0, accuracy: 1e-12)
        var table = try sanji.ok(["dashboard"])
        XCTAssertTrue(table.contains("98.31%") && table.contains("59.69%"), table)
        try sanji.ok(["catalog", "settings", "--scope", "all"])
        rates = try catalogRates()
        XCTAssertEqual(rates.items, 62)
        table = try sanji.ok(["dashboard"])
        XCTAssertTrue(table.contains("95.16%") && table.contains("55.43%"), table)
        // Cut instead of rounded: the setting is the county's, and changes every printed rate.
        try sanji.ok(["catalog", "settings", "--rounding", "cut"])
        table = try sanji.ok(["dashboard"])
        XCTAssertTrue(table.contains("55.42%") && !table.contains("55.43%"), table)
        let settings = try sanji.ok(["catalog", "settings"])
        XCTAssertTrue(settings.contains("rounding = cut") && settings.contains("catalog_scope = all") && settings.contains("online_min_depth = 2"), settings)
        XCTAssertTrue(try sanji.run(["catalog", "settings", "--rounding", "bankers"]).stderr.contains("Please provide one of 'half-up' and 'cut'"))

        // Grade codes are named by direction; a standard's name is refused, and says why.
        let evals = try sanji.write("e.csv", "eval_id,grade,channel,evaluated_at\nN1,4,device,2026-11-02 10:00\n")
        let standard = try sanji.run(["import", "evals", evals, "--grade-codes", "gbt39046"])
        XCTAssertEqual(standard.status, 64)
        XCTAssertTrue(standard.stderr.contains("names a standard, not a direction") && standard.stderr.contains("one-is-best"), standard.stderr)
        let help = try sanji.ok(["import", "evals", "--help"])
        XCTAssertTrue(help.contains("one-is-best   1 = 非常满意") && help.contains("five-is-best  5 = 非常满意"), help)
        XCTAssertTrue(try sanji.ok(["import", "evals", evals, "--grade-codes", "one-is-best"]).contains("1 new"))

        // 回访 follows 整改, at the command and in a file.
        let early = try sanji.run(["eval", "revisit", "N1", "--grade", "满意", "--at", "2026-11-03 10:00"])
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("has no 整改 yet; 回访 follows 整改") && early.stderr.contains("sanji eval rectify N1"), early.stderr)
        let file = try sanji.write("r.csv", "eval_id,grade,channel,evaluated_at,revisited_at,revisit_grade\nN2,不满意,device,2026-11-02 10:00,2026-11-03 10:00,满意\n")
        let rejected = try sanji.run(["import", "evals", file])
        XCTAssertTrue(rejected.stderr.contains("r.csv:2: revisited_at: is given but the 差评 has no 整改"), rejected.stderr)

        // An upheld appeal takes the 差评 out of the figures; its record stays, counted apart.
        try sanji.ok(["eval", "add", "--grade", "满意", "--at", "2026-11-02 11:00"])
        var total = try XCTUnwrap((try json(try sanji.ok(["dashboard", "--month", "2026-11", "--format", "json"])) as? [String: Any])?["total"] as? [String: Any])
        XCTAssertEqual(total["satisfaction_rate"] as? Double, 0.5)
        XCTAssertTrue(try sanji.run(["eval", "appeal", "N1", "--upheld"]).stderr.contains("--reason"))
        let appealed = try sanji.ok(["eval", "appeal", "N1", "--upheld", "--reason", "复核：误操作", "--at", "2026-11-04 09:00"])
        XCTAssertTrue(appealed.contains("申诉成立"), appealed)
        total = try XCTUnwrap((try json(try sanji.ok(["dashboard", "--month", "2026-11", "--format", "json"])) as? [String: Any])?["total"] as? [String: Any])
        XCTAssertEqual(total["satisfaction_rate"] as? Double, 1)
        XCTAssertEqual(total["bad_reviews"] as? Int, 0)
        XCTAssertEqual(total["appeals_upheld"] as? Int, 1)
        XCTAssertEqual(total["evaluations"] as? Int, 1)
        XCTAssertTrue(try sanji.ok(["eval", "list"]).contains("申诉成立"))
        let listed = try XCTUnwrap(try json(try sanji.ok(["exceptions", "--month", "2026-11", "--kind", "bad-review", "--format", "json"])) as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["eval_id"] as? String }, ["N1"])
        XCTAssertEqual(listed.first?["appeal"] as? String, "upheld")

        // No 通报 for a month that has not begun; the month still running says 截至 today.
        let future = try sanji.run(["report", "monthly", "2099-01"])
        XCTAssertEqual(future.status, 1)
        XCTAssertTrue(future.stderr.contains("2099-01 has not begun"), future.stderr)
        let today = Day(number: Int(Date().timeIntervalSince1970 + 8 * 3600) / 86_400)
        let running = try sanji.ok(["report", "monthly", String(today.description.prefix(7))])
        let (y, m, dd) = today.components
        XCTAssertTrue(running.contains("数据截至 \(y) 年 \(m) 月 \(dd) 日"), running)
    }

    func testErrorsAreClearAndActionable() throws {
        let none = try sanji.run(["dashboard"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no Sanji node at") && none.stderr.contains("sanji init"), none.stderr)

        try initCounty()
        let twice = try sanji.run(["init", "--id", "340321", "--name", "x", "--level", "county"])
        XCTAssertEqual(twice.status, 1)
        XCTAssertTrue(twice.stderr.contains("already holds a Sanji node"), twice.stderr)

        let listed = try sanji.ok(["catalog", "list", "--level", "county", "--format", "csv"])
        let real = String(listed.split(separator: "\n")[1].split(separator: ",")[0])
        let mistyped = String(real.dropLast()) + (real.hasSuffix("9") ? "8" : "9")
        let typo = try sanji.run(["case", "accept", "--case-no", "1", "--item", mistyped])
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("item_code: no item \(mistyped) in the catalogue; closest:") && typo.stderr.contains(real), typo.stderr)

        let badFile = try sanji.write("bad.csv", "case_no,item_code,accepted_at,channel\nX1,NOPE,2026-11-02 09:00,window\nX2,NOPE,yesterday,window\n")
        let rejected = try sanji.run(["import", "cases", badFile])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.contains("bad.csv:2: item_code: no item NOPE"), rejected.stderr)
        XCTAssertTrue(rejected.stderr.contains("bad.csv:3: accepted_at: \"yesterday\" is not a time"), rejected.stderr)
        XCTAssertTrue(rejected.stderr.contains("rejected, nothing was imported: 3 problems in 2 rows"), rejected.stderr)

        let missing = try sanji.run(["import", "cases", "/nonexistent/cases.csv"])
        XCTAssertTrue(missing.stderr.contains("/nonexistent/cases.csv: no such file"), missing.stderr)

        let period = try sanji.run(["dashboard", "--month", "2026-13"])
        XCTAssertNotEqual(period.status, 0)
        XCTAssertTrue(period.stderr.contains("--month 2026-13: there is no month 13"), period.stderr)
    }

    func testTheRootAloneOwnsTheCatalogue() throws {
        // The parent key is the example server key from libzmq's CURVE documentation.
        try sanji.ok(["init", "--id", "340321100", "--name", "城关镇为民服务中心", "--level", "township", "--parent", "tcp://127.0.0.1:7701",
                      "--parent-key", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"])
        let noKey = try sanji.run(["init", "--id", "340321101", "--name", "x", "--level", "township", "--parent", "tcp://127.0.0.1:7701"], useDataFlag: false)
        XCTAssertNotEqual(noKey.status, 0)
        XCTAssertTrue(noKey.stderr.contains("--parent needs --parent-key"), noKey.stderr)
        let r = try sanji.run(["catalog", "import", "nodes/huaiyuan/items.csv"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("only the root owns the catalogue"), r.stderr)
    }

    func testDataDirectoryFromTheEnvironment_andVersion() throws {
        let env = ["SANJI_DATA": sanji.data.path]
        let made = try sanji.run(["init", "--id", "340321100201", "--name", "某村代办站", "--level", "村", "--root"], environment: env, useDataFlag: false)
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(made.stdout.contains(sanji.data.path), made.stdout)
        let version = try sanji.run(["--version"], useDataFlag: false)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil, version.stdout)
    }

    func testCatalogueListInCSV_importsBackUnchanged() throws {
        try initCounty()
        let listed = try sanji.ok(["catalog", "list", "--withdrawn", "--format", "csv"])
        let path = try sanji.write("roundtrip.csv", listed)
        let again = try sanji.ok(["catalog", "import", path])
        XCTAssertTrue(again.contains("73 items: 0 new, 0 updated, 73 unchanged; nothing changed"), again)
    }

    func testSimulate_isReproducibleBySeed() throws {
        try initCounty()
        let a = try sanji.ok(["simulate", "--days", "10", "--cases-per-day", "20", "--seed", "5"])
        let b = try sanji.ok(["simulate", "--days", "10", "--cases-per-day", "20", "--seed", "5"])
        XCTAssertTrue(a.contains(" new cases"), a)
        XCTAssertTrue(b.contains(": 0 new cases"), "the same seed makes the same cases: \(b)")
    }
}

final class StoreVersionTests: XCTestCase {
    func testAStoreFromANewerSanjiIsRefused_byServeAndEveryCommand() throws {
        let sanji = SanjiProcess()
        defer { sanji.cleanUp() }
        try sanji.ok(["init", "--id", "340321", "--name", "怀远县政务服务中心", "--level", "county"])
        // A newer binary ran a migration this one does not know.
        let db = sanji.data.appendingPathComponent("sanji.sqlite").path
        try RawDatabase(path: db).execute("INSERT INTO grdb_migrations VALUES ('v99 from the future')")
        for args in [["serve"], ["dashboard"], ["status"]] {
            let run = try sanji.run(args)
            XCTAssertEqual(run.status, 1, args.joined(separator: " "))
            XCTAssertTrue(run.stderr.contains("was written by a newer Sanji (migration v99 from the future)"), run.stderr)
            XCTAssertTrue(run.stderr.contains("upgrade this sanji binary"), run.stderr)
        }
    }
}
