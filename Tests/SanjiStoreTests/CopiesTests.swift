import Foundation
import SanjiCore
@testable import SanjiStore
import XCTest

/// One identity, one incarnation: a store copied elsewhere is a new copy whose revs start above
/// anything the earlier copy stamped, and a parent accepts one copy of a child at a time.
final class CopiesTests: XCTestCase {
    func testACopiedStore_isANewCopy_andWhatItRecordsGoesAboveTheOriginal() throws {
        let f = try StoreFixture()
        _ = try f.importCases("A1,SB001,2026-11-02 09:00,window,,,\n")
        let original = try f.store.incarnation()
        XCTAssertNil(f.store.newIncarnationReason)
        XCTAssertNil(try NodeStore.open(in: f.directory).newIncarnationReason, "opened again where it is: the same copy")
        // A bare copy of the data directory (what an operator might do to move a station).
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-copy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: f.directory, to: copy)
        let clone = try NodeStore.open(in: copy)
        XCTAssertNotNil(clone.newIncarnationReason)
        let second = try clone.incarnation()
        XCTAssertNotEqual(second.id, original.id)
        XCTAssertEqual(second.lineage, [original.id])
        // A clerk's command before the copy ever reaches its parent: its row is above the original's every rev.
        _ = try clone.acceptCase(["case_no": "B1", "item_code": "SB001", "accepted_at": "2026-11-04 09:00", "channel": "window"], now: StoreFixture.now)
        XCTAssertGreaterThan(try clone.currentRev(), second.revFloor)
        XCTAssertGreaterThan(second.revFloor, try f.store.currentRev() + 1_000_000)
    }

    func testAParentAcceptsOneCopy_takesOverFromARetiredOne_andRefusesASecondThatRuns() throws {
        let f = try StoreFixture()
        let now = StoreFixture.now
        _ = try f.store.enroll(id: "V", publicKey: "k-V-0000000000000000000000000000000000000", name: "某村", level: .township)
        XCTAssertEqual(try f.store.admit(child: "V", incarnation: "a", lineage: [], currentConnected: false, now: now), .accepted)
        XCTAssertEqual(try f.store.admit(child: "V", incarnation: "a", lineage: [], currentConnected: true, now: now), .accepted)
        // Copy b descends from a while a still runs: refused, and the refusal is on V's enrolment (it travels up).
        XCTAssertEqual(try f.store.admit(child: "V", incarnation: "b", lineage: ["a"], currentConnected: true, now: now), .refused(current: "a"))
        XCTAssertEqual(try f.store.childCopies().first?.refused, "b")
        let batch = try XCTUnwrap(try f.store.readBatch(after: 0))
        let enrolment = batch.nodes.compactMap { if case .enrolment(let e) = $0, e.subject == "V" { e } else { nil } }.first
        XCTAssertEqual(enrolment?.copyConflict, "b")
        // A copy unrelated to a: refused even when a is away.
        XCTAssertEqual(try f.store.admit(child: "V", incarnation: "z", lineage: [], currentConnected: false, now: now), .refused(current: "a"))
        // a was retired (not connected); c, restored from a's backup, takes over.
        XCTAssertEqual(try f.store.admit(child: "V", incarnation: "c", lineage: ["a"], currentConnected: false, now: now), .handedOver(previous: "a"))
        XCTAssertEqual(try f.store.admit(child: "V", incarnation: "a", lineage: [], currentConnected: false, now: now), .refused(current: "c"),
                       "the old copy, back again, is refused")
        // The operator decides: keep a after all.
        try f.store.keepCopy(child: "V", incarnation: "a")
        XCTAssertEqual(try f.store.childCopies().first?.current, "a")
        XCTAssertNil(try f.store.childCopies().first?.refused)
        XCTAssertThrowsError(try f.store.keepCopy(child: "V", incarnation: "nope"))
    }

    func testARetiredCopy_refusesToOpen_butTheCopyItMovedToWorks() throws {
        let f = try StoreFixture()
        try f.store.keys.save(CurveKeyPair(publicKey: "p", secretKey: "s"))
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-moved-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: target) }
        try f.store.retire(to: target)
        XCTAssertThrowsError(try NodeStore.open(in: f.directory)) { error in
            XCTAssertTrue("\(error)".contains("was retired") && "\(error)".contains(target.path), "\(error)")
        }
        XCTAssertNotNil(try NodeStore.open(in: f.directory, allowRetired: true).retired())
        let moved = try NodeStore.open(in: target)
        XCTAssertNotNil(moved.newIncarnationReason, "the moved copy knows it is a new copy")
        XCTAssertNil(try moved.retired())
    }
}
