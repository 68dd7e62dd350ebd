import Logging
import SanjiBus
import SanjiCore
import SanjiStore

extension Logger {
    /// What the link to the parent reports, in the log.
    func note(_ event: ParentLink.Event) {
        switch event {
        case .linked(let parent, let cursor):
            info("linked to parent", metadata: ["peer.id": .string(parent), "cursor": .stringConvertible(cursor)])
        case .wentSilent:
            warning("parent went silent; reconnecting")
        case .refused(let reason, let retry):
            warning("the parent refused this node; trying again in \(retry) s", metadata: ["reason": .string(reason)])
        case .resendAsked(let cursor):
            info("parent asked to resend", metadata: ["cursor": .stringConvertible(cursor)])
        case .resendAfterTimeout(let cursor):
            info("no acknowledgement in time; resending", metadata: ["cursor": .stringConvertible(cursor)])
        case .parentError(let code, let reason):
            warning("parent refused", metadata: ["code": .stringConvertible(code), "reason": .string(reason)])
        case .catalogUpdated(let seq, let items):
            info("catalogue updated from parent", metadata: ["catalog.seq": .stringConvertible(seq), "items": .stringConvertible(items)])
        }
    }

    /// What the links to the children report, in the log.
    func note(_ event: Downlink.Event) {
        switch event {
        case .refused(let child, let code, let reason):
            warning("refused \(child)", metadata: ["peer.id": .string(child), "code": .stringConvertible(code), "reason": .string(reason)])
        case .hello(let child, let cursor, let rev):
            info("child said hello", metadata: ["peer.id": .string(child), "cursor": .stringConvertible(cursor), "peer.rev": .stringConvertible(rev)])
        case .tookOver(let child, let incarnation, let previous):
            notice("a new copy of the child took over (moved or restored)",
                   metadata: ["peer.id": .string(child), "incarnation": .string(incarnation), "previous": .string(previous)])
        case .back(let child):
            info("child is back", metadata: ["peer.id": .string(child)])
        case .silent(let child):
            info("child went silent", metadata: ["peer.id": .string(child)])
        case .childError(let child, let code, let reason):
            warning("child reported an error", metadata: ["peer.id": .string(child), "code": .stringConvertible(code), "reason": .string(reason)])
        case .rowsRefused(let child, let code, let reason):
            warning("refused rows", metadata: ["peer.id": .string(child), "code": .stringConvertible(code), "reason": .string(reason)])
        case .digestRefused(let child, let origin):
            warning("dropped a DIGEST for a node outside the child's subtree", metadata: ["peer.id": .string(child), "origin": .string(origin)])
        case .asked(let children):
            info("asked the subtree for digests", metadata: ["children": .stringConvertible(children)])
        case .cannotRoute(let origin):
            warning("cannot pass a heal request on: no connected child leads to its node", metadata: ["origin": .string(origin)])
        case .gap(let child, let cursor, let from):
            info("batch beyond the cursor; asking the child to resend",
                 metadata: ["peer.id": .string(child), "cursor": .stringConvertible(cursor), "from": .stringConvertible(from)])
        }
    }
}

/// A step that keeps failing for the same reason (a full disk, a store another command holds) is
/// logged once per interval with how often it repeated, not twenty times a second.
struct FailureLog {
    let every: Int64
    private var last: (text: String, loggedMs: Int64, repeats: Int)?

    init(every: Int64) { self.every = every }

    /// Logs a failed step unless the same failure was logged lately: what it was writing was
    /// rolled back and not acknowledged, so children resend it.
    mutating func record(_ error: Error, now: Int64, to logger: Logger) {
        let text = (error as? SanjiError)?.message ?? "\(error)"
        let (log, repeats) = shouldLog(text, now: now)
        guard log else { return }
        logger.error("a step failed; what it was writing was rolled back and not acknowledged; retrying",
                     metadata: ["error": .string(text), "repeats": .stringConvertible(repeats)])
    }

    /// Whether to log `text` now, and how often it repeated since it was last logged.
    mutating func shouldLog(_ text: String, now: Int64) -> (log: Bool, repeats: Int) {
        if let l = last, l.text == text, now - l.loggedMs < every {
            last?.repeats += 1
            return (false, 0)
        }
        let repeats = last?.text == text ? last!.repeats : 0
        last = (text, now, 0)
        return (true, repeats)
    }
}

extension WireMessage.Hello {
    /// The HELLO a node says: who it is, which copy of its store speaks, and what it holds.
    init(_ identity: NodeIdentity, incarnation: Incarnation, catalogSeq: UInt64, rev: UInt64) {
        self.init(nodeId: identity.id, name: identity.name, level: identity.level.rawValue, software: SanjiVersion.string, catalogSeq: catalogSeq,
                  rev: rev, incarnation: incarnation.id, lineage: incarnation.lineage)
    }
}
