import Foundation
import XCTest
import SanjiCore
@testable import SanjiReport

final class RenderingTests: XCTestCase {
    func testDisplayWidth_andTablesLineUpChineseLabels() {
        XCTAssertEqual(DisplayWidth.of("村社区"), 6)
        XCTAssertEqual(DisplayWidth.of("Total"), 5)
        var t = TextTable(headers: ["层级", "办件量"], alignments: [.left, .right])
        t.add(["村社区", "1,234"])
        t.add(["Total", "5"])
        let lines = t.render().split(separator: "\n").map(String.init)
        XCTAssertEqual(Set(lines.map(DisplayWidth.of)).count, 1, "every line has the same display width:\n\(lines.joined(separator: "\n"))")
        XCTAssertEqual(NumberText.thousands(1_234_567), "1,234,567")
        XCTAssertEqual(NumberText.thousands(-1000), "-1,000")
    }

    func testJSON_isDeterministicAndEscaped() {
        let v = JSONValue.object([("a", .string("引号\"\n")), ("b", .array([.int(1), .null, .double(0.5)]))])
        XCTAssertEqual(v.render(pretty: false), #"{"a":"引号\"\n","b":[1,null,0.5]}"#)
        let parsed = try? JSONSerialization.jsonObject(with: Data(v.render().utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["a"] as? String, "引号\"\n")
    }
}
