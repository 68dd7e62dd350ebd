import SanjiFixtures
import XCTest
import SanjiCore
@testable import SanjiBus

final class WireCodecTests: XCTestCase {
    static let samples = WireMessage.examples

    func testEveryMessageRoundTrips() throws {
        for m in Self.samples {
            let frame = WireCodec.encode(m)
            XCTAssertEqual(Array(frame.prefix(3)), [0x53, 0x4A, WireMessage.version])
            XCTAssertEqual(try WireCodec.decode(frame), m, m.name)
        }
    }

    /// A field longer than its 16-bit length allows is cut at a whole character, so that the frame
    /// still decodes (a cut inside a character would make the field invalid UTF-8).
    func testAnOverlongFieldIsCutAtAWholeCharacter() throws {
        let reason = "é" + String(repeating: "差", count: 30_000)   // 2 + 90,000 bytes of UTF-8: 65,535 falls inside a 差
        guard case .error(_, let decoded) = try WireCodec.decode(WireCodec.encode(.error(code: 400, reason: reason))) else {
            return XCTFail("an ERROR decodes as an ERROR")
        }
        XCTAssertEqual(decoded.utf8.count, 65_534, "é and 21,844 whole 差")
        XCTAssertTrue(reason.hasPrefix(decoded))
    }

    /// The fuzzer's finding: `levels` in any order (or repeated) means the same set, so such a
    /// frame decodes, and re-encodes in the canonical order; the fuzz property is therefore that
    /// decoding the re-encoded frame gives the same message, not the same bytes.
    func testLevelsInAnotherOrderDecodeToTheSameItem() throws {
        guard case .catalog(let delta) = Self.samples[4] else { return XCTFail("sample 4 is a CATALOG") }
        let canonical = WireCodec.encode(.catalog(delta))
        var frame = canonical
        let text = Array(delta.items[0].item.levelsText.utf8), reordered = Array("village|county".utf8)
        XCTAssertEqual(text, Array("county|village".utf8))
        let at = try XCTUnwrap((0...(frame.count - text.count)).first { Array(frame[$0..<($0 + text.count)]) == text })
        frame.replaceSubrange(at..<(at + text.count), with: reordered)
        let decoded = try WireCodec.decode(frame)
        XCTAssertEqual(decoded, .catalog(delta))
        XCTAssertEqual(WireCodec.encode(decoded), canonical)
    }

    func testTheLayoutIsTheDocumentedOne() {
        // HEARTBEAT: "SJ", version 3, command 6, catalog-seq as a big-endian u64.
        XCTAssertEqual(WireCodec.encode(.heartbeat(catalogSeq: 258, time: 3)), [0x53, 0x4A, 0x03, 0x06, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3])
        // ERROR: code u16, then a u16-length UTF-8 string.
        XCTAssertEqual(WireCodec.encode(.error(code: 403, reason: "村")), [0x53, 0x4A, 0x03, 0x07, 0x01, 0x93, 0x00, 0x03, 0xE6, 0x9D, 0x91])
    }

    func reason(_ frame: [UInt8]) -> WireCodec.DecodeError? {
        do {
            _ = try WireCodec.decode(frame)
            return nil
        } catch { return error }
    }

    func testMalformedFramesAreRefusedWithAReason() {
        let good = WireCodec.encode(Self.samples[2])
        XCTAssertEqual(reason([0x53])?.code, 400)
        XCTAssertTrue(reason([0x58, 0x58, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0])!.reason.contains("signature"))
        XCTAssertEqual(reason([0x53, 0x4A, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0])?.code, 426, "SJP/1 (sanji 0.1.0)")
        XCTAssertTrue(reason([0x53, 0x4A, 3, 99])!.reason.contains("command 99"))
        XCTAssertTrue(reason(Array(good.dropLast()))!.reason.contains("frame ends"))
        XCTAssertTrue(reason(good + [0])!.reason.contains("trailing"))
        // A count the frame cannot hold is refused before anything is allocated for it.
        var huge = Array(good.prefix(20))
        huge += [0xFF, 0xFF, 0xFF, 0xFF]
        XCTAssertTrue(reason(huge)!.reason.contains("summary-count"), "\(reason(huge)!)")
        // Invalid UTF-8 in a string.
        XCTAssertTrue(reason([0x53, 0x4A, 3, 7, 0, 1, 0, 1, 0xFF])!.reason.contains("UTF-8"))
        // from-rev above to-rev.
        XCTAssertTrue(reason([0x53, 0x4A, 3, 3] + [0, 0, 0, 0, 0, 0, 0, 9] + [0, 0, 0, 0, 0, 0, 0, 1] + [0, 0, 0, 0, 0, 0, 0, 0])!.reason.contains("above to-rev"))
    }

    func testValuesOutsideTheirRangeAreRefused() {
        // A rev of 2^63 would trap a parent converting it for SQLite: refused as malformed.
        XCTAssertTrue(reason([0x53, 0x4A, 3, 6, 0x80, 0, 0, 0, 0, 0, 0, 0] + Array(repeating: 0, count: 8))!.reason.contains("above 2^63"))
        XCTAssertNil(reason([0x53, 0x4A, 3, 6, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + Array(repeating: 0, count: 8)))
        // A month that is not YYYY-MM, in HEAL or DIGEST.
        XCTAssertTrue(reason(WireCodec.encode(.heal(origin: "v", months: ["2026-13"], seal: false)))!.reason.contains("YYYY-MM"))
        XCTAssertTrue(reason(WireCodec.encode(.digest(request: 1, origin: "v", months: [MonthDigest(month: "2026-1", rows: 1, digest: 1, maxOriginRev: 1)])))!
            .reason.contains("month"))
        var frame = WireCodec.encode(Self.samples[4])
        // Corrupt the first item's type code "20" into "99".
        let index = frame.firstIndex(of: 0x32)!  // "2"
        frame[index] = 0x39
        frame[index + 1] = 0x39
        XCTAssertTrue(reason(frame)!.reason.contains("type \"99\""), "\(reason(frame)!)")
    }

    /// A row that reads but cannot be (an impossible day, a 差评 graded 满意) is refused on its own;
    /// the rest of the frame decodes (one bad row used to cost the whole batch, resent forever).
    func testAnImpossibleRowIsRefusedAlone_theRestOfTheBatchDecodes() throws {
        guard case .rows(var batch) = Self.samples[2] else { return XCTFail("sample 2 is ROWS") }
        let good = batch.summary[0]
        batch.summary = [good, good]
        var frame = WireCodec.encode(.rows(batch))
        // Turn the second row's day into 2026-13-45 (same length, so the frame stays whole).
        let day = Array("2026-11-02".utf8)
        let second = try XCTUnwrap((0...(frame.count - day.count)).filter { Array(frame[$0..<($0 + day.count)]) == day }.dropFirst().first)
        frame.replaceSubrange(second..<(second + day.count), with: Array("2026-13-45".utf8))
        guard case .rows(let decoded) = try WireCodec.decode(frame) else { return XCTFail("decodes as ROWS") }
        XCTAssertEqual(decoded.summary, [good])
        XCTAssertEqual(decoded.malformed.count, 1)
        XCTAssertTrue(decoded.malformed[0].contains("2026-13-45"), decoded.malformed[0])
        XCTAssertEqual(decoded.exceptions, batch.exceptions)
    }

    /// Exception records refuse what no station could have sent: a 差评 that is not one, an appeal
    /// day without an appeal.
    func testExceptionRowsAreCheckedToo() throws {
        guard case .rows(let batch) = Self.samples[2], case .badReview(let review) = batch.exceptions[1].record else { return XCTFail("sample 2 is ROWS with a 差评") }
        func frame(_ r: BadReview) -> [UInt8] {
            var b = batch
            b.exceptions = [ExceptionRowState(originRev: 1, record: .badReview(r))]
            return WireCodec.encode(.rows(b))
        }
        func refusal(_ r: BadReview) throws -> String {
            guard case .rows(let b) = try WireCodec.decode(frame(r)), b.exceptions.isEmpty, b.malformed.count == 1 else { return "" }
            return b.malformed[0]
        }
        var good = review
        good.grade = .satisfied
        XCTAssertTrue(try refusal(good).contains("not a 差评"))
        var orphan = review
        orphan.appeal = nil
        XCTAssertTrue(try refusal(orphan).contains("appeal-day"))
        var open = review
        (open.rectifiedDay, open.revisitedDay, open.revisitGrade, open.appeal, open.appealDay) = (nil, nil, nil, nil, nil)
        guard case .rows(let b) = try WireCodec.decode(frame(open)) else { return XCTFail() }
        XCTAssertEqual(b.exceptions.count, 1, "no follow-up yet: empty days, grade 0")
    }

    /// A seeded, bounded random-frame run: mutated valid frames and pure noise never crash the
    /// decoder; each is decoded or refused with a reason.
    func testRandomFramesNeverCrashTheDecoder() {
        var rng = SeededRandom(seed: TestSeed.seed(2026, for: "WireCodecTests"))
        let valid = Self.samples.map(WireCodec.encode)
        var refused = 0
        for i in 0..<20_000 {
            var frame: [UInt8]
            if i % 4 == 0 {
                frame = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                frame = valid[i % valid.count]
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0 where !frame.isEmpty: frame[Int.random(in: 0..<frame.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    case 1 where !frame.isEmpty: frame.removeLast(Int.random(in: 1...min(8, frame.count), using: &rng))
                    default: frame.append(UInt8.random(in: 0...255, using: &rng))
                    }
                }
            }
            if reason(frame) != nil { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 10_000)
    }
}
