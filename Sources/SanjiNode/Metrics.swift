import Foundation
import SanjiCore
import SanjiStore

/// What `serve --metrics-file` writes every `metricsMs`: the Prometheus text exposition format
/// (version 0.0.4), for node_exporter's textfile collector (or Zabbix, which reads it too). The
/// file is written whole beside itself and renamed over the old one, so a scrape never sees half.
public struct NodeMetrics: Equatable, Sendable {
    /// A station with nothing measured yet.
    public init(nodeId: String, level: String, version: String) {
        (self.nodeId, self.level, self.version) = (nodeId, level, version)
    }

    /// One child as the parent last knew it.
    public struct Child: Equatable, Sendable {
        /// Its node id.
        public var id: String
        /// Heard from lately (its session is live).
        public var connected: Bool
        /// Unix seconds; 0 when never heard from.
        public var lastHeardAt: Int64
        /// The highest of its revs committed here.
        public var cursor: UInt64
    }

    /// This station's node id.
    public var nodeId: String
    /// Its level.
    public var level: String
    /// The Sanji version serving it.
    public var version: String
    /// The link up: nil at the root.
    public var parentState: LinkRecord.State?
    /// Unix seconds the parent was last heard from (0: never).
    public var parentLastHeardAt: Int64 = 0
    /// Rows the parent has not acknowledged.
    public var backlog: Int = 0
    /// The children enrolled directly below.
    public var children: [Child] = []
    /// Rows committed from children since serve started.
    public var rowsApplied: Int = 0
    /// Rows and messages refused since serve started.
    public var refusals: Int = 0
    /// The store's files (database, write-ahead log), in bytes.
    public var storeBytes: Int64 = 0
    /// The catalogue sequence held.
    public var catalogSeq: UInt64 = 0
    /// This node's clock minus the parent's, in seconds (0 at the root).
    public var clockSkew: Int64 = 0
    /// When serve started (Unix seconds).
    public var startedAt: Int64 = 0
    /// When this was written (Unix seconds).
    public var writtenAt: Int64 = 0

    /// The exposition text.
    public var text: String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples { out += name + (s.labels.isEmpty ? "" : "{\(s.labels)}") + " " + s.value + "\n" }
        }
        let node = "node_id=\"\(Self.escape(nodeId))\""
        metric("sanji_info", "gauge", "This station: its node id, level and Sanji version (always 1).",
               [("\(node),level=\"\(Self.escape(level))\",version=\"\(Self.escape(version))\"", "1")])
        if let parentState {
            metric("sanji_parent_link_up", "gauge", "1 while the link to the parent is up (welcomed, rows flow), else 0.",
                   [(node, parentState == .up ? "1" : "0")])
            metric("sanji_parent_link_state", "gauge", "The link to the parent: 1 for the state it is in.",
                   [LinkRecord.State.connecting, .up, .down, .refused].map { ("\(node),state=\"\($0.rawValue)\"", parentState == $0 ? "1" : "0") })
            metric("sanji_parent_last_heard_timestamp_seconds", "gauge", "When the parent was last heard from (Unix time; 0: never).",
                   [(node, String(parentLastHeardAt))])
            metric("sanji_backlog_rows", "gauge", "Rows of this station and below that the parent has not acknowledged.", [(node, String(backlog))])
            metric("sanji_clock_skew_seconds", "gauge", "This station's clock minus its parent's.", [(node, String(clockSkew))])
        }
        if !children.isEmpty {
            metric("sanji_child_connected", "gauge", "1 while an enrolled child is heard from, else 0.",
                   children.map { ("\(node),child=\"\(Self.escape($0.id))\"", $0.connected ? "1" : "0") })
            metric("sanji_child_last_heard_timestamp_seconds", "gauge", "When each enrolled child was last heard from (Unix time; 0: never).",
                   children.map { ("\(node),child=\"\(Self.escape($0.id))\"", String($0.lastHeardAt)) })
            metric("sanji_child_cursor", "gauge", "The highest of each child's revs committed here.",
                   children.map { ("\(node),child=\"\(Self.escape($0.id))\"", String($0.cursor)) })
        }
        metric("sanji_rows_applied_total", "counter", "Rows committed from children since serve started.", [(node, String(rowsApplied))])
        metric("sanji_refusals_total", "counter", "Rows and messages from children refused since serve started.", [(node, String(refusals))])
        metric("sanji_store_bytes", "gauge", "The store's files (database and write-ahead log), in bytes.", [(node, String(storeBytes))])
        metric("sanji_catalog_sequence", "gauge", "The catalogue sequence this station holds.", [(node, String(catalogSeq))])
        metric("sanji_start_timestamp_seconds", "gauge", "When serve started (Unix time).", [(node, String(startedAt))])
        metric("sanji_metrics_timestamp_seconds", "gauge", "When this file was written (Unix time).", [(node, String(writtenAt))])
        return out
    }

    /// A label value: backslash, double quote and newline escaped.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Writes `text` to `path` whole: into `path.tmp` beside it, then renamed over `path`.
    public static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp"
        // Readable by node_exporter's own user, whatever the unit's umask.
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw SanjiError(.io, "\(temporary): cannot be written (--metrics-file's directory must exist and be writable)")
        }
        guard rename(temporary, path) == 0 else {
            throw SanjiError(.io, "\(path): cannot replace it (\(String(cString: strerror(errno))))")
        }
    }
}
