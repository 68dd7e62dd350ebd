import Foundation
import SanjiCore
@_spi(Testing) @testable import SanjiStore

/// A node store in a fresh temporary directory, removed at deinit: tests use real files (WAL).
final class StoreFixture {
    let directory: URL
    let store: NodeStore

    static let items = """
        code,name,type,department,levels,legal_days,promised_days,online_depth,max_visits,status
        SB001,城乡居民养老保险参保登记,20,县人社局,county|township|village,,0,4,0,active
        CJ001,残疾人证核发,07,县残联,county|township,20,10,3,1,active
        XK001,食品经营许可,01,县市场监管局,county,20,5,3,1,active
        XK002,再生育审批,01,县卫健委,county,3m,10,2,2,withdrawn
        """

    init(level: Level = .county, parent: String? = nil, items: String = StoreFixture.items) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-test-\(UUID().uuidString)")
        store = try NodeStore.create(in: directory, identity: NodeIdentity(id: "340321", name: "怀远县政务服务中心", level: level, parent: parent))
        if parent == nil {
            _ = try store.importCatalog(name: "items.csv", bytes: Array(items.utf8))
            _ = try store.importCalendar(name: "calendar.csv", bytes: Array("date,kind\n2026-10-01,holiday\n2026-10-02,holiday\n2026-10-10,workday\n".utf8))
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// "now" for imports: late 2026, so every fixture time is in the past.
    static let now = ZoneRule.shanghai.parse("2026-11-20T12:00:00+08:00")!

    func importCases(_ body: String) throws -> ImportReport {
        try store.importCases(name: "cases.csv", bytes: Array(("case_no,item_code,accepted_at,channel,completed_at,outcome,visits\n" + body).utf8),
                              options: ImportOptions(now: Self.now))
    }

    func importEvals(_ body: String, codes: Grade.Codes? = nil) throws -> ImportReport {
        try store.importEvaluations(name: "evals.csv", bytes: Array(("eval_id,case_no,grade,channel,evaluated_at,rectified_at,revisited_at,revisit_grade\n" + body).utf8),
                                    options: ImportOptions(gradeCodes: codes, now: Self.now))
    }

    /// Everything a rejected import must leave untouched.
    func fingerprint() throws -> String {
        let db = try RawDatabase(store: directory, readOnly: true)
        let tables = ["cases", "evaluations", "summary", "counter", "catalog_item", "calendar_day"]
        return try tables.map { t in try String(describing: db.rows("SELECT * FROM \(t) ORDER BY 1, 2")) }.joined(separator: "|")
    }
}

