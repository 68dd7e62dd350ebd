/// The two small files that enrol a station without anyone typing a key (docs/operations.md,
/// "Enrolling a station by file"):
///
/// - a **join request** (`340321100201.join`), written at the station by `sanji join-request`:
///   who it is and its public key;
/// - a **welcome** (`340321100201.welcome`), written at the parent by `sanji enroll FILE.join`:
///   the request echoed, and where and with which key to reach the parent.
///
/// Both hold public keys only: they may be printed, mailed or sent in a chat. Each is lines of
/// `field: value` under a first line naming the kind, so that a person can read one and a wrong
/// file is refused with its line and field.
public struct JoinRequest: Equatable, Sendable {
    /// The station's node id.
    public var id: String
    /// The station's name.
    public var name: String
    /// The station's level.
    public var level: Level
    /// The station's CURVE public key (Z85).
    public var publicKey: String

    /// A request; nothing is checked until it is written or read.
    public init(id: String, name: String, level: Level, publicKey: String) {
        (self.id, self.name, self.level, self.publicKey) = (id, name, level, publicKey)
    }

    static let kind = "sanji/join-request 1"

    /// The file's text.
    public var text: String {
        """
        \(Self.kind)
        # Give this file to the IT staff of the parent station: `sanji enroll \(id).join` there.
        # It holds this station's public key only: it is safe to print, mail or send.
        id: \(id)
        name: \(name)
        level: \(level.rawValue)
        public-key: \(publicKey)

        """
    }

    /// Reads a request; the error names the file, the line and the field.
    public static func parse(_ text: String, file: String) throws -> JoinRequest {
        let fields = try EnrolmentFile.fields(text, file: file, kind: kind, other: Welcome.kind)
        return JoinRequest(id: try fields.id("id"), name: try fields.text("name"), level: try fields.level("level"),
                           publicKey: try fields.key("public-key"))
    }
}

/// The parent's answer to a join request.
public struct Welcome: Equatable, Sendable {
    /// The station it welcomes, as its request said.
    public var station: JoinRequest
    /// The parent's node id.
    public var parentId: String
    /// The parent's name.
    public var parentName: String
    /// Where the station connects, e.g. `tcp://10.1.2.3:7701`.
    public var parentEndpoint: String
    /// The parent's CURVE public key (Z85).
    public var parentKey: String

    /// A welcome; nothing is checked until it is written or read.
    public init(station: JoinRequest, parentId: String, parentName: String, parentEndpoint: String, parentKey: String) {
        (self.station, self.parentId, self.parentName, self.parentEndpoint, self.parentKey) = (station, parentId, parentName, parentEndpoint, parentKey)
    }

    static let kind = "sanji/welcome 1"

    /// The file's text.
    public var text: String {
        """
        \(Self.kind)
        # \(parentName) (\(parentId)) has enrolled \(station.name) (\(station.id)).
        # At that station: `sanji init --welcome \(station.id).welcome`, then `sanji serve`.
        # It holds public keys only: it is safe to print, mail or send.
        id: \(station.id)
        name: \(station.name)
        level: \(station.level.rawValue)
        public-key: \(station.publicKey)
        parent-id: \(parentId)
        parent-name: \(parentName)
        parent-endpoint: \(parentEndpoint)
        parent-key: \(parentKey)

        """
    }

    /// Reads a welcome; the error names the file, the line and the field.
    public static func parse(_ text: String, file: String) throws -> Welcome {
        let fields = try EnrolmentFile.fields(text, file: file, kind: kind, other: JoinRequest.kind)
        let station = JoinRequest(id: try fields.id("id"), name: try fields.text("name"), level: try fields.level("level"),
                                  publicKey: try fields.key("public-key"))
        let endpoint = try fields.text("parent-endpoint")
        guard endpoint.hasPrefix("tcp://") || endpoint.hasPrefix("ipc://") else {
            throw fields.problem("parent-endpoint", "\(endpoint) is not an endpoint such as tcp://10.1.2.3:7701")
        }
        return Welcome(station: station, parentId: try fields.id("parent-id"), parentName: try fields.text("parent-name"),
                       parentEndpoint: endpoint, parentKey: try fields.key("parent-key"))
    }
}

/// The `field: value` lines both files are made of.
struct EnrolmentFile {
    let file: String
    var values: [String: (line: Int, value: String)] = [:]

    static func fields(_ text: String, file: String, kind: String, other: String) throws -> EnrolmentFile {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let first = lines.first.map { String($0).trimmingSpaces } ?? ""
        guard first == kind else {
            let what = first == other ? "a \(other.dropFirst(6).dropLast(2)) file" : "not a file Sanji wrote"
            throw SanjiError(.invalidArgument, "\(file):1: this is \(what); expected a \(kind.dropFirst(6).dropLast(2)) (its first line: \(kind))")
        }
        var out = EnrolmentFile(file: file)
        for (n, raw) in lines.enumerated().dropFirst() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw SanjiError(.invalidArgument, "\(file):\(n + 1): \"\(line)\" is not a field: value line")
            }
            let field = String(line[..<colon]).trimmingSpaces
            guard out.values[field] == nil else { throw SanjiError(.invalidArgument, "\(file):\(n + 1): \(field): given twice") }
            out.values[field] = (n + 1, String(line[line.index(after: colon)...]).trimmingSpaces)
        }
        return out
    }

    func problem(_ field: String, _ message: String) -> SanjiError {
        SanjiError(.invalidArgument, "\(file):\(values[field]?.line ?? 1): \(field): \(message)")
    }

    func text(_ field: String) throws -> String {
        guard let v = values[field]?.value, !v.isEmpty else {
            throw SanjiError(.invalidArgument, "\(file): \(field): missing; the file was cut short or edited")
        }
        return v
    }

    func id(_ field: String) throws -> String {
        let v = try text(field)
        if let why = NodeIdentity.validate(id: v) { throw problem(field, "\(v): \(why)") }
        return v
    }

    func level(_ field: String) throws -> Level {
        let v = try text(field)
        guard let level = Level(text: v) else { throw problem(field, "\(v) is not a level") }
        return level
    }

    func key(_ field: String) throws -> String {
        let v = try text(field)
        guard v.count == 40, v.unicodeScalars.allSatisfy({ Z85.alphabet.contains($0) }) else {
            throw problem(field, "not a CURVE public key (40 characters of Z85); the file was cut short or edited")
        }
        return v
    }
}

/// The characters of Z85 (ZeroMQ RFC 32).
enum Z85 {
    static let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".unicodeScalars)
}
