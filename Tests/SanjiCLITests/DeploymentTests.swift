import Foundation
import SanjiTestSupport
import XCTest

/// What a county's IT staff install beside the binary: the systemd unit, checked by systemd itself.
final class DeploymentTests: XCTestCase {
    func testTheSystemdUnit_isValid_andHardened() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else {
            throw XCTSkip("systemd-analyze is not installed (apt-get install systemd; scripts/test.sh does)")
        }
        let unit = try String(contentsOf: SanjiProcess.repoRoot.appendingPathComponent("deploy/systemd/sanji.service"), encoding: .utf8)
        for line in ["NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "ReadWritePaths=/var/lib/sanji", "CapabilityBoundingSet=",
                     "ProtectHome=yes", "Restart=on-failure"] {
            XCTAssertTrue(unit.split(separator: "\n").contains { $0 == line[...] }, "the unit says \(line)")
        }
        // verify checks that ExecStart's binary exists: point it at the one built here.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sanji-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("sanji.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/sanji", with: SanjiProcess.binary.path).write(to: copy, atomically: true, encoding: .utf8)
        let r = try CommandRunner.run(URL(fileURLWithPath: analyze), ["verify", copy.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines), "", "no warnings: \(r.stderr)")
    }
}
