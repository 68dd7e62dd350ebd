import Foundation
import Logging
import SanjiCore
import SanjiReport

/// One JSON object per line on stderr: time (with the node's offset, e.g. `+08:00`, whatever the
/// container's or PC's zone), level, message, and the metadata (node.id, peer.id …) as fields,
/// for log collectors.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let timeZone: TimeZone
    private static let lock = NSLock()

    init(label: String, level: Logger.Level, timeZone: TimeZone) {
        self.label = label
        logLevel = level
        self.timeZone = timeZone
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, JSONValue)] = [
            ("time", .string(Self.time(Date(), in: timeZone))), ("level", .string(event.level.rawValue)),
            ("message", .string("\(event.message)")),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) { fields.append((k, .string("\(v)"))) }
        let line = JSONValue.object(fields).render(pretty: false) + "\n"
        Self.lock.lock()
        FileHandle.standardError.write(Data(line.utf8))
        Self.lock.unlock()
    }

    /// `2026-11-03T09:30:00.123+08:00`.
    static func time(_ date: Date, in zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
