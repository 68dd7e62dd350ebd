import Foundation
import SanjiTestSupport
@_spi(Testing) import SanjiStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A full disk and a read-only store: a clear error, and nothing half-written. The disk is a
/// small tmpfs mounted in a private mount namespace (`unshare -m`, or `unshare -rm` for a user
/// without CAP_SYS_ADMIN), so it vanishes with the script even if the test dies.
final class DiskErrorTests: XCTestCase {
    var sanji: SanjiProcess!

    override func setUp() { sanji = SanjiProcess() }
    override func tearDown() { sanji.cleanUp() }

    /// A county store holding the catalogue and one case, and a file of `rows` new cases for one of its items.
    func prepare(rows: Int) throws -> (cases: String, item: String) {
        try sanji.ok(["init", "--id", "340321", "--name", "怀远县政务服务中心", "--level", "county"])
        try sanji.ok(["catalog", "import", "nodes/huaiyuan/items.csv"])
        let list = try sanji.ok(["catalog", "list", "--level", "county", "--format", "json"])
        let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])
        let item = try XCTUnwrap(items.first?["code"] as? String)
        try sanji.ok(["case", "accept", "--case-no", "2026110000", "--item", item, "--channel", "window", "--at", "2026-11-02 09:00"])
        var csv = "case_no,item_code,accepted_at,channel,completed_at,outcome,visits,assisted,applicant_name,applicant_id\n"
        for i in 1...rows {
            csv += "\(2026_200_000 + i),\(item),2026-11-03 10:\(String(format: "%02d", i % 60)),窗口,2026-11-03 11:00,准予,1,,张三\(i),\n"
        }
        return (try sanji.write("cases.csv", csv), item)
    }

    func cases(in store: URL) throws -> Int {
        let db = try RawDatabase(store: store)
        XCTAssertEqual(try db.text("PRAGMA integrity_check"), "ok")
        return try db.int("SELECT count(*) FROM cases") ?? -1
    }

    func testAFullDiskAndAReadOnlyMountRefuseCleanlyAndLoseNothing() throws {
        let (casesFile, item) = try prepare(rows: 20_000)
        let work = sanji.data.deletingLastPathComponent().appendingPathComponent("disk-\(sanji.data.lastPathComponent)")
        let mountPoint = work.appendingPathComponent("mnt"), out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            defer { if ProcessInfo.processInfo.environment["SANJI_KEEP_TEST_DATA"] == nil { try? FileManager.default.removeItem(at: work) } }
        // Each step leaves <name>.rc, .out and .err in $OUT; stores are copied out before the mount goes.
        let script = """
            set -u
            S="$1"; M="$2"; OUT="$3"; SRC="$4"; CASES="$5"; ITEM="$6"
            mount -t tmpfs -o size=8m tmpfs "$M" || exit 77
            D="$M/county"
            cp -a "$SRC" "$D" || exit 10
            step() { name="$1"; shift; "$S" "$@" --data "$D" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"; }
            # Fill the disk, leaving 256 KiB: enough to open the store, far too little for the import.
            dd if=/dev/zero of="$M/filler" bs=64k 2>/dev/null
            truncate -s -256K "$M/filler"
            step full-import import cases "$CASES"
            step full-dashboard dashboard --from 2026-11-01 --to 2026-11-30 --format json
            cp -a "$D" "$OUT/after-full"
            rm "$M/filler"
            step retry-import import cases "$CASES"
            mount -o remount,ro "$M" || exit 11
            step ro-accept case accept --case-no 2026119998 --item "$ITEM" --channel window --at "2026-11-04 09:00"
            step ro-dashboard dashboard --from 2026-11-01 --to 2026-11-30 --format json
            cp -a "$D" "$OUT/after-ro"
            """
        let scriptURL = work.appendingPathComponent("disk.sh")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let unshare = getuid() == 0 ? ["-m"] : ["-r", "-m"]
        let run = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/unshare"), unshare + [
            "sh", scriptURL.path, SanjiProcess.binary.path, mountPoint.path, out.path, sanji.data.path, casesFile, item,
        ])
        if run.status == 77 || run.stderr.contains("unshare failed") {
            throw XCTSkip("cannot mount a small tmpfs here (no CAP_SYS_ADMIN and no user namespaces): \(run.stderr)")
        }
        XCTAssertEqual(run.status, 0, run.stderr)
        func step(_ name: String) throws -> (rc: Int, err: String) {
            let rc = Int(try String(contentsOf: out.appendingPathComponent("\(name).rc"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            return (rc, try String(contentsOf: out.appendingPathComponent("\(name).err"), encoding: .utf8))
        }

        // The full disk: refused as such, and not one of the 20,000 cases was kept.
        let full = try step("full-import")
        XCTAssertEqual(full.rc, 1)
        XCTAssertTrue(full.err.contains("the disk is full; nothing was written"), full.err)
        XCTAssertTrue(full.err.contains("hint: free space on the disk"), full.err)
        XCTAssertEqual(try cases(in: out.appendingPathComponent("after-full")), 1)
        // Reading still works on a full disk.
        let fullDashboard = try step("full-dashboard")
        XCTAssertEqual(fullDashboard.rc, 0, fullDashboard.err)
        // With space again, the same file imports whole: all 20,000 new, none half-there.
        let retry = try step("retry-import")
        XCTAssertEqual(retry.rc, 0, retry.err)
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("retry-import.out"), encoding: .utf8).contains("20,000 new"))

        // A read-only mount: refused as such, and nothing changed.
        let ro = try step("ro-accept")
        XCTAssertEqual(ro.rc, 1)
        XCTAssertTrue(ro.err.contains("cannot be written") && ro.err.contains("mounted read-write"), ro.err)
        XCTAssertEqual(try cases(in: out.appendingPathComponent("after-ro")), 20_001)
        // Reading needs the store's -wal and -shm files beside it (WAL mode), so it is refused as clearly.
        let roDashboard = try step("ro-dashboard")
        XCTAssertEqual(roDashboard.rc, 1)
        XCTAssertTrue(roDashboard.err.contains("cannot be written"), roDashboard.err)
    }

    /// A store that belongs to another user (the service runs as `sanji`, someone ran a command as
    /// another user): refused with what to check, and unchanged.
    func testAStoreTheUserCannotWriteIsRefusedClearly() throws {
        let (_, item) = try prepare(rows: 1)
        let accept = ["case", "accept", "--case-no", "2026119997", "--item", item, "--channel", "window", "--at", "2026-11-04 09:00", "--data", sanji.data.path]
        let run: CommandRunner.Result
        if getuid() == 0 {
            // Root ignores permissions: run the command as nobody instead.
            run = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                        ["--reuid=65534", "--regid=65534", "--clear-groups", SanjiProcess.binary.path] + accept)
        } else {
            chmod(sanji.data.appendingPathComponent("sanji.sqlite").path, 0o444)
            chmod(sanji.data.path, 0o555)
            defer { chmod(sanji.data.path, 0o755) }
            run = try CommandRunner.run(SanjiProcess.binary, accept)
        }
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("cannot be written"), run.stderr)
        XCTAssertTrue(run.stderr.contains("belong to the user running sanji"), run.stderr)
        XCTAssertEqual(try cases(in: sanji.data), 1)
    }
}
