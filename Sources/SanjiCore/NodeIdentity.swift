/// Who a node is: fixed at `sanji init`.
public struct NodeIdentity: Hashable, Sendable {
    /// Stable and unique; 统计用区划代码 fit well (`340321`, `340321100`, `340321100201`).
    public var id: String
    /// The name reports print.
    public var name: String
    /// The node's administrative level.
    public var level: Level
    /// IANA zone that cuts the days (default Asia/Shanghai).
    public var timeZone: String
    /// The parent's endpoint; nil on the root.
    public var parent: String?

    /// An identity, in Asia/Shanghai unless told otherwise; without a `parent` it is the root.
    public init(id: String, name: String, level: Level, timeZone: String = "Asia/Shanghai", parent: String? = nil) {
        self.id = id
        self.name = name
        self.level = level
        self.timeZone = timeZone
        self.parent = parent
    }

    /// True for the root, the one node without a parent.
    public var isRoot: Bool { parent == nil }

    /// Ids are routing ids on the wire and file names on disk: letters, digits, `.`, `_`, `-`.
    public static func validate(id: String) -> String? {
        if id.isEmpty || id.utf8.count > 64 { return "a node id has 1 to 64 characters" }
        let ok = id.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0) }
        return ok ? nil : "a node id uses only letters, digits, '.', '_' and '-' (统计用区划代码 such as 340321100201 fit well)"
    }
}
