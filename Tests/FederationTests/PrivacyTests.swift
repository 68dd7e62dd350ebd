import Foundation
import SanjiBus
import SanjiCore
@_spi(Testing) import SanjiStore
import SanjiSpawn
import SanjiTestSupport
import XCTest

/// Applicant personal data never leaves the station: a real village talks to a spy parent that
/// records every frame, and none of them carries a name, an id number or free text. Case numbers
/// and evaluation ids travel only as the key of an exception record (an overdue case, a 差评).
final class PrivacyTests: XCTestCase {
    func testNothingAVillageSendsCarriesApplicantData() throws {
        let fed = try Federation()
        defer { fed.shutdown() }
        // A catalogue to send down, from a county store that only this test uses.
        let countyDir = fed.root.appendingPathComponent("catalogue-source")
        let county = try NodeStore.create(in: countyDir, identity: NodeIdentity(id: "340321", name: "县", level: .county))
        _ = try county.importCatalog(name: "items.csv", bytes: Array(try String(contentsOf: CommandRunner.repoRoot.appendingPathComponent("nodes/huaiyuan/items.csv"), encoding: .utf8).utf8))
        let delta = try XCTUnwrap(try county.catalogDelta(after: 0))

        // The spy parent: CURVE server without a ZAP handler (every key accepted), answering as a parent would.
        let context = ZMQContext()
        let server = try CurveKeyPair.generate()
        let spy = try ZMQSocket(context, .router)
        try spy.set(ZMQOption.curveServer, Int32(1))
        try spy.set(ZMQOption.curveSecretKey, server.secretKey)
        try spy.bind("tcp://127.0.0.1:*")
        let village = "340321100201"
        let dir = fed.root.appendingPathComponent(village)
        try fed.ok(["init", "--id", village, "--name", "某村代办站", "--level", "village", "--parent", spy.lastEndpoint,
                    "--parent-key=" + server.publicKey, "--data", dir.path])

        var frames: [[UInt8]] = []
        var cursor: UInt64 = 0
        func pump(until deadline: Date, _ done: () throws -> Bool) throws {
            while Date() < deadline {
                _ = ZMQPoll.readable([spy], timeoutMs: 50)
                while let m = try spy.receive() {
                    guard m.frames.count == 2 else { continue }
                    frames.append(m.frames[1])
                    let reply: [WireMessage]
                    switch try WireCodec.decode(m.frames[1]) {
                    case .hello: reply = [.welcome(.init(parentId: "340321100", cursor: cursor, catalogSeq: UInt64(delta.catalogSeq), heartbeatMs: 1000)), .catalog(delta)]
                    case .rows(let b):
                        cursor = max(cursor, b.toRev)
                        reply = [.ack(toRev: b.toRev, cursor: cursor, refused: 0)]
                    default: reply = [.heartbeat(catalogSeq: delta.catalogSeq, time: Int64(Date().timeIntervalSince1970))]
                    }
                    for r in reply { try spy.send([m.frames[0], WireCodec.encode(r)]) }
                }
                if try done() { return }
            }
            XCTFail("timed out")
        }

        let pid = try Spawn.start(CommandRunner.sanjiBinary.path, ["serve", "--data", dir.path, "--heartbeat-ms", "200", "--status-interval", "1"],
                                  Spawn.Options(stderr: .null))
        defer {
            kill(pid, SIGTERM)
            Spawn.wait(pid)
        }
        try pump(until: Date().addingTimeInterval(30)) { try NodeStore.open(in: dir).catalogSequence() == delta.catalogSeq }

        // Clerks record cases with applicant details, and evaluations, at the village.
        let secrets = ["王秀英", "340321198807151234", "李建国", "34032119650302567X", "申诉理由含隐私"]
        let identifiers = ["PRIV-2026-0001", "PRIV-2026-0002", "EVAL-PRIV-77"]
        let item = try XCTUnwrap(try NodeStore.open(in: dir).catalog().items.values.first { $0.handled(at: .village) && $0.isActive }?.code)
        let cases = fed.root.appendingPathComponent("cases.csv").path
        try """
            case_no,item_code,accepted_at,channel,completed_at,outcome,visits,applicant_name,applicant_id
            PRIV-2026-0001,\(item),2026-11-02 09:00,window,2026-11-02 10:00,approved,1,王秀英,340321198807151234
            PRIV-2026-0002,\(item),2026-11-03 09:00,agent,,,,李建国,34032119650302567X

            """.write(toFile: cases, atomically: true, encoding: .utf8)
        try fed.ok(["import", "cases", cases, "--data", dir.path])
        try fed.ok(["eval", "add", "--case-no", "PRIV-2026-0001", "--grade", "不满意", "--id", "EVAL-PRIV-77", "--at", "2026-11-02 10:30", "--data", dir.path])
        try fed.ok(["eval", "rectify", "EVAL-PRIV-77", "--at", "2026-11-03 10:00", "--data", dir.path])
        try fed.ok(["eval", "appeal", "EVAL-PRIV-77", "--rejected", "--reason", "申诉理由含隐私：王秀英称", "--at", "2026-11-04 10:00", "--data", dir.path])
        let store = try NodeStore.open(in: dir)
        try pump(until: Date().addingTimeInterval(30)) {
            let rev = UInt64(try store.currentRev())
            let backlog = try store.backlog(above: cursor)
            return rev <= cursor && backlog == 0
        }

        // Every frame decodes, and no byte sequence of any secret appears in any frame.
        XCTAssertGreaterThan(frames.count, 3)
        var rowsSeen = 0
        var records: [String: ExceptionRecord] = [:]
        func carries(_ f: [UInt8], _ s: String) -> Bool {
            let needle = Array(s.utf8)
            return f.indices.contains { f[$0...].starts(with: needle) }
        }
        for f in frames {
            let message = try WireCodec.decode(f)
            if case .rows(let b) = message {
                rowsSeen += b.summary.count
                for x in b.exceptions { records[x.record.id] = x.record }
            }
            for s in secrets { XCTAssertFalse(carries(f, s), "a frame carries \(s)") }
            // An identifier may only be the key of an exception record: without them, the frame has none.
            var stripped = message
            if case .rows(var b) = message {
                b.exceptions = []
                stripped = .rows(b)
            }
            for s in identifiers { XCTAssertFalse(carries(WireCodec.encode(stripped), s), "\(s) travels outside an exception record") }
        }
        XCTAssertGreaterThanOrEqual(rowsSeen, 2, "the summaries did go up")
        // The 差评 went up as a record of dates and flags: rectified, its appeal rejected, nothing more.
        guard case .badReview(let review) = try XCTUnwrap(records["EVAL-PRIV-77"]) else { return XCTFail("the 差评 record went up") }
        XCTAssertEqual(review.rectifiedDay, Day("2026-11-03"))
        XCTAssertEqual(review.appeal, .rejected)
        XCTAssertNil(records["PRIV-2026-0001"], "a case completed on time is no exception")
        // And the tables that hold others' data upstream have no column that could hold them.
        let countyDB = try RawDatabase(store: county.directory)
        let columns = try ["summary", "node", "summary_month", "exception_case", "exception_review"].flatMap { t in
            try countyDB.rows("SELECT name FROM pragma_table_info(?)", [.text(t)]).compactMap { $0["name"].text }
        }
        XCTAssertTrue(columns.contains("case_no") && columns.contains("eval_id"), "the exception tables were checked")
        for c in columns { XCTAssertFalse(["applicant", "comment", "id_number", "phone", "reason"].contains { c.contains($0) }, c) }
    }
}
