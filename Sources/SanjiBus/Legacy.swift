/// Frames of another protocol version, read only as far as needed to tell a person what runs on
/// the other end (docs/protocol.md, section 9): SJP/1's HELLO names its software, and ERROR has the
/// same layout in every version.
public enum Legacy {
    /// "runs sanji 0.1.0 (SJP/1)", "speaks SJP/3, a newer sanji" …, or nil for a frame that is not
    /// a Sanji frame of another version.
    public static func describe(_ frame: [UInt8]) -> String? {
        guard frame.count >= 4, frame[0] == 0x53, frame[1] == 0x4A, frame[2] != WireMessage.version else { return nil }
        let version = frame[2]
        let age = version < WireMessage.version ? "an older" : "a newer"
        var r = WireCodec.Reader(frame)
        r.position = 4
        switch frame[3] {
        case 1:
            // HELLO: node-id, name, level, software.
            if (try? r.string("node-id")) != nil, (try? r.string("name")) != nil, (try? r.string("level")) != nil,
               let software = try? r.string("software") {
                return "runs sanji \(software) (SJP/\(version), \(age) protocol)"
            }
        case 7:
            if let code = try? r.u16("code"), let reason = try? r.string("reason") {
                return "runs \(age) sanji (SJP/\(version)) and answered \(code) \"\(reason)\""
            }
        default: break
        }
        return "speaks SJP/\(version) (\(release(of: version).map { "sanji \($0), " } ?? "")\(age) release)"
    }

    /// The releases that spoke a protocol version (releases.csv).
    static func release(of version: UInt8) -> String? {
        switch version {
        case 1: "0.1.x"
        case 2: "0.2.x"
        case 3: "0.3.x"
        default: nil
        }
    }
}
