import Foundation
import GRDB
import SanjiCore

extension NodeStore {
    // MARK: Enrolment

    /// A child to enrol: its id and public key; its name (default: its id until it reports) and
    /// level (default: the level below this node).
    public struct ChildEnrolment: Sendable, Equatable {
        /// The child's node id.
        public var id: String
        /// The child's CURVE public key (Z85).
        public var publicKey: String
        /// Its name; nil: its id, until it reports one.
        public var name: String?
        /// Its level; nil: the level below this node.
        public var level: Level?

        /// A child to enrol; without `name` or `level`, the defaults above apply.
        public init(id: String, publicKey: String, name: String? = nil, level: Level? = nil) {
            self.id = id
            self.publicKey = publicKey
            self.name = name
            self.level = level
        }
    }

    /// Enrols a child: its id and public key. Re-enrolling a known child replaces its key.
    public func enroll(id: String, publicKey: String, name: String?, level: Level?, now: Timestamp? = nil) throws -> NodeEnrolment {
        try enroll([ChildEnrolment(id: id, publicKey: publicKey, name: name, level: level)], now: now)[0]
    }

    /// Enrols children, all or none (a township's villages at once).
    public func enroll(_ children: [ChildEnrolment], now: Timestamp? = nil) throws -> [NodeEnrolment] {
        let now = now ?? clock.now
        guard identity.level != .village else { throw SanjiError(.invalidArgument, "a village node has no children to enrol") }
        let below = Level.allCases[identity.level.depth + 1]
        for c in children {
            if let problem = NodeIdentity.validate(id: c.id) { throw SanjiError(.invalidArgument, "--id \(c.id): \(problem)") }
            guard c.id != identity.id else { throw SanjiError(.invalidArgument, "a node cannot enrol itself") }
            let level = c.level ?? below
            guard level > identity.level else {
                throw SanjiError(.invalidArgument, "a \(level.rawValue) cannot be a child of this \(identity.level.rawValue) node")
            }
        }
        return try write { db in
            var rev = try Counter.value(db, .rev)
            var done: [NodeEnrolment] = []
            for c in children {
                if let other = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM node WHERE public_key = ? AND id != ?"), arguments: [c.publicKey, c.id]) {
                    throw SanjiError(.invalidArgument, "the key of \(c.id) is already enrolled for node \(other); every node has its own key")
                }
                let held = try NodeRows.enrolment(db, of: c.id)
                if let held, held.parent != identity.id {
                    throw SanjiError(.invalidArgument, "node \(c.id) is already enrolled under \(held.parent)", hint: "a node belongs to one parent only")
                }
                rev += 1
                let enrolment = NodeEnrolment(subject: c.id, originRev: UInt64(rev), parent: identity.id, level: c.level ?? below,
                                              name: c.name ?? held?.name ?? c.id, enrolledAt: now.seconds, revoked: false,
                                              copyConflict: held?.copyConflict ?? "")
                try NodeRows.put(db, enrolment, rev: rev, publicKey: c.publicKey, onlyIfNewer: false)
                done.append(enrolment)
            }
            try Counter.set(db, .rev, rev)
            return done
        }
    }

    /// Revokes a child enrolled here: its key is refused from now on (new connections and open
    /// ones alike); its past rows stay and count, and the revocation travels up as its enrolment.
    public func revoke(id: String) throws {
        try write { db in
            guard var enrolment = try NodeRows.enrolment(db, of: id) else {
                throw SanjiError(.invalidArgument, "no node \(id) is enrolled here")
            }
            guard enrolment.parent == identity.id else {
                throw SanjiError(.invalidArgument, "\(id) is enrolled under \(enrolment.parent), not here", hint: "revoke it at \(enrolment.parent)")
            }
            let rev = try Counter.value(db, .rev) + 1
            enrolment.revoked = true
            enrolment.originRev = UInt64(rev)
            try NodeRows.put(db, enrolment, rev: rev, onlyIfNewer: false)
            try Counter.set(db, .rev, rev)
        }
    }

    /// Public key → node id of every child enrolled here and not revoked (the ZAP allow-list).
    public func enrolledChildKeys() throws -> [String: String] {
        try read { db in
            var out: [String: String] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT id, public_key FROM node WHERE parent = ? AND public_key IS NOT NULL AND revoked = 0",
                                      arguments: [identity.id]) {
                out[r["public_key"]] = r["id"]
            }
            return out
        }
    }
}
