import Foundation
import SanjiCore

/// A node's CURVE keypair on disk, beside its store: `keys/node.key` (the secret key, readable by
/// the owner only) and `keys/node.pub`. Rotating keeps the previous pair as `*.old`. The keys are
/// not in the database, so that the store can be copied for a report without them.
public struct KeyStore: Sendable {
    /// The `keys` directory.
    public let directory: URL

    /// The keys of the node whose data directory is `dataDirectory`.
    public init(dataDirectory: URL) {
        directory = dataDirectory.appendingPathComponent("keys")
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes the pair: the secret key readable by the owner only (0600), in a directory only the
    /// owner may enter (0700).
    public func save(_ pair: CurveKeyPair) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SanjiError(.io, "cannot create \(directory.path): \(error.localizedDescription)")
        }
        guard fm.createFile(atPath: path("node.key"), contents: Data((pair.secretKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SanjiError(.io, "cannot write \(path("node.key"))")
        }
        guard fm.createFile(atPath: path("node.pub"), contents: Data((pair.publicKey + "\n").utf8), attributes: [.posixPermissions: 0o644]) else {
            throw SanjiError(.io, "cannot write \(path("node.pub"))")
        }
    }

    /// Reads the pair; a missing or unreadable file is an error that says how to recover.
    public func load() throws -> CurveKeyPair {
        func read(_ name: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path(name)) else {
                throw SanjiError(.io, "\(path(name)) is missing or unreadable",
                                 hint: "restore the node's keys from a backup, or re-initialise and re-enrol the node")
            }
            return String(decoding: data, as: UTF8.self).trimmingSpaces
        }
        return CurveKeyPair(publicKey: try read("node.pub"), secretKey: try read("node.key"))
    }

    /// Replaces the pair, keeping the previous one as node.key.old / node.pub.old.
    public func rotate(to pair: CurveKeyPair) throws {
        let fm = FileManager.default
        for name in ["node.key", "node.pub"] where fm.fileExists(atPath: path(name)) {
            try? fm.removeItem(atPath: path(name) + ".old")
            do {
                try fm.moveItem(atPath: path(name), toPath: path(name) + ".old")
            } catch {
                throw SanjiError(.io, "cannot keep the old \(path(name)): \(error.localizedDescription)")
            }
        }
        try save(pair)
    }
}

extension NodeStore {
    /// This node's CURVE keys.
    public var keys: KeyStore { KeyStore(dataDirectory: directory) }
}
