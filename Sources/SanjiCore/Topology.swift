/// A deployment described in a topology.csv (`id,name,level,parent,port`): which stations exist,
/// who is whose parent, and the port a station with children listens on when deployed.
public struct Topology: Sendable, Equatable {
    /// One row of topology.csv.
    public struct Node: Sendable, Equatable {
        /// The node id (letters, digits, `.`, `_`, `-`; see `NodeIdentity.validate`).
        public var id: String
        /// The name reports print.
        public var name: String
        /// Its level, below its parent's.
        public var level: Level
        /// The parent's id; nil for the root.
        public var parent: String?
        /// The port it listens on when deployed (docker, systemd); nil for a node without children.
        public var port: Int?
    }

    /// Parents before children, in file order otherwise.
    public let nodes: [Node]

    /// The columns of topology.csv; `port` may be left out.
    public static let columns = ["id", "name", "level", "parent", "port"]

    /// The one node without a parent (first, since parents come first).
    public var root: Node { nodes[0] }

    /// The node with `id`, if there is one.
    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }
    /// The nodes whose parent is `id`, in file order.
    public func children(of id: String) -> [Node] { nodes.filter { $0.parent == id } }
    /// Whether any node has `id` as its parent.
    public func hasChildren(_ id: String) -> Bool { nodes.contains { $0.parent == id } }
    /// How deep below the root: 0 for the root.
    public func depth(_ id: String) -> Int {
        var d = 0
        var current = node(id)?.parent
        while let p = current { d += 1; current = node(p)?.parent }
        return d
    }

    /// Reads topology.csv; every problem is named with its line and field.
    public static func parse(name: String, bytes: [UInt8]) throws(CSVFile.Rejected) -> Topology {
        let file = try CSVFile(name: name, bytes: bytes, required: ["id", "name", "level", "parent"], optional: ["port"])
        var issues: [RowIssue] = []
        var read: [(Node, Int)] = []
        var records = file.records()
        while let r = records.next() {
            func issue(_ field: String, _ message: String) { issues.append(RowIssue(file: name, line: r.line, field: field, message: message)) }
            let id = file.value(r, "id"), nodeName = file.value(r, "name"), parent = file.value(r, "parent"), port = file.value(r, "port")
            if let problem = NodeIdentity.validate(id: id) { issue("id", problem) }
            if nodeName.isEmpty { issue("name", "is empty") }
            let level = Level(text: file.value(r, "level"))
            if level == nil { issue("level", "\"\(file.value(r, "level"))\" is not a level") }
            var portNumber: Int?
            if !port.isEmpty {
                portNumber = Int(port)
                if portNumber == nil || !(1...65535).contains(portNumber!) { issue("port", "\"\(port)\" is not a port (1–65535)") }
            }
            if read.contains(where: { $0.0.id == id }) { issue("id", "\(id) appears twice") }
            if let level { read.append((Node(id: id, name: nodeName, level: level, parent: parent.isEmpty ? nil : parent, port: portNumber), r.line)) }
        }
        if let s = records.syntaxIssue { issues.append(s) }
        let roots = read.filter { $0.0.parent == nil }
        if roots.count != 1 {
            issues.append(RowIssue(file: name, line: 1, field: "parent", message: "exactly one node (the root) has no parent; found \(roots.count)"))
        }
        for (n, line) in read {
            guard let p = n.parent else { continue }
            guard let parent = read.first(where: { $0.0.id == p })?.0 else {
                issues.append(RowIssue(file: name, line: line, field: "parent", message: "no node \(p) in the topology"))
                continue
            }
            if n.level <= parent.level {
                issues.append(RowIssue(file: name, line: line, field: "level", message: "\(n.level.rawValue) is not below its parent's level (\(parent.level.rawValue))"))
            }
            if parent.port == nil {
                issues.append(RowIssue(file: name, line: line, field: "parent", message: "\(p) has children, so its row needs a port"))
            }
        }
        guard issues.isEmpty else { throw CSVFile.Rejected(issues: issues) }
        // Parents first: breadth-first from the root, keeping file order among siblings.
        var ordered: [Node] = roots.map(\.0)
        var i = 0
        while i < ordered.count {
            ordered += read.map(\.0).filter { $0.parent == ordered[i].id }
            i += 1
        }
        guard ordered.count == read.count else {
            throw CSVFile.Rejected(issues: [RowIssue(file: name, line: 1, field: "parent", message: "some nodes do not lead up to the root (a cycle)")])
        }
        return Topology(nodes: ordered)
    }
}
