import Foundation
import Logging
import SanjiBus
import SanjiCore
import SanjiStore

/// The sockets a node serves its children on: a CURVE ROUTER, the ZAP handler that admits only
/// enrolled keys, and a monitor of the connections ZeroMQ closed. Owned by the runtime's thread.
final class ChildPort {
    /// What a connection said, after the socket layer: who it is (by its key), on which
    /// connection, and either a message or why it is not one.
    struct Incoming {
        enum Body {
            case message(WireMessage)
            /// Its key is no longer enrolled, or it speaks another protocol.
            case refused(ChildRefusal)
        }

        let child: String
        let route: [UInt8]
        let body: Body
    }

    let router: ZMQSocket
    private let zap: ZMQSocket
    private let monitor: ZMQSocket
    /// Public key → node id of every child enrolled here and not revoked.
    var keys: [String: String]
    private var keysLoadedMs: Int64 = .min / 2
    private let loadKeys: () throws -> [String: String]
    private let logger: Logger

    /// Listens where the store's link configuration says (a wildcard port is resolved and kept).
    init(_ context: ZMQContext, store: NodeStore, config: LinkConfig, listen: String, secretKey: String, logger: Logger) throws {
        self.logger = logger
        loadKeys = { [store] in try store.enrolledChildKeys() }
        keys = try loadKeys()
        let endpoint = config.listenResolved ?? listen
        zap = try ZMQSocket(context, .rep)
        try zap.bind("inproc://zeromq.zap.01")
        router = try ZMQSocket(context, .router)
        try router.set(ZMQOption.curveServer, Int32(1))
        try router.set(ZMQOption.curveSecretKey, secretKey)
        try router.set(ZMQOption.zapDomain, "sanji")
        try router.set(ZMQOption.maxMessageSize, Int64(WireMessage.maxFrameBytes))
        try router.set(ZMQOption.sendHighWater, Int32(10_000))
        do {
            try router.bind(endpoint)
        } catch {
            throw SanjiError(.io, "cannot listen on \(endpoint): \(error)", hint: "is another sanji serve running on this port? change it with --listen at init")
        }
        monitor = try router.monitorDisconnects(context, name: "sanji-router-\(ObjectIdentifier(router).hashValue)")
        if listen.hasSuffix(":*"), config.listenResolved == nil { try store.setResolvedListen(router.lastEndpoint) }
        logger.info("listening", metadata: ["endpoint": .string(router.lastEndpoint)])
    }

    var sockets: [ZMQSocket] { [zap, router, monitor] }

    /// Answers ZAP requests: a key is accepted only if enrolled, and the enrolled node id (with
    /// the key) becomes the connection's User-Id. An unknown key may have just been enrolled:
    /// the keys are read again, at most once a second.
    func authenticate(now: Int64) throws {
        var handled = 0
        while handled < 256, let request = try zap.receive() {
            handled += 1
            let f = request.frames
            guard f.count >= 6 else { continue }
            var status = "400", text = "unknown key", user = ""
            if String(decoding: f[5], as: UTF8.self) == "CURVE", f.count >= 7, let key = CurveKeyPair.z85(raw: f[6]) {
                if keys[key] == nil, now - keysLoadedMs > 1000 {
                    keys = (try? loadKeys()) ?? keys
                    keysLoadedMs = now
                }
                if let id = keys[key] {
                    status = "200"; text = "OK"; user = id + " " + key   // ids have no spaces
                } else {
                    logger.warning("refused a connection: its key is not enrolled here",
                                   metadata: ["peer.key": .string(key), "peer.address": .string(String(decoding: f[3], as: UTF8.self))])
                }
            }
            try zap.send([Array("1.0".utf8), f[1], Array(status.utf8), Array(text.utf8), Array(user.utf8), []])
        }
    }

    /// Logs every connection ZeroMQ closed: a child that went away, or one whose frame was over
    /// 16 MiB or unreadable (ZeroMQ drops those connections itself, and says nothing else).
    func logClosedConnections() throws {
        while let event = try monitor.monitorEvent() {
            logger.info("a child's connection closed (it went away, or ZeroMQ dropped it for a frame over 16 MiB or one it could not read)",
                        metadata: ["event": .stringConvertible(event.event), "endpoint": .string(event.endpoint)])
        }
    }

    /// The next message, if one is waiting. A child is who its key says (the ZAP User-Id), never
    /// what routing id it chose; its key is checked on every message, so that a revoked node is
    /// cut off even on an open connection. A malformed frame is logged and answered here.
    func receive() throws -> Incoming? {
        while let received = try router.receive() {
            guard received.frames.count == 2 else {
                logger.warning("dropped a message of \(received.frames.count) frames (expected routing id and one body)")
                continue
            }
            guard let user = received.userId, let space = user.firstIndex(of: " ") else {
                logger.warning("dropped a message from a connection with no authenticated node")
                continue
            }
            let child = String(user[..<space]), key = String(user[user.index(after: space)...]), route = received.frames[0]
            guard keys[key] == child else { return Incoming(child: child, route: route, body: .refused(.notEnrolled)) }
            do {
                return Incoming(child: child, route: route, body: .message(try WireCodec.decode(received.frames[1])))
            } catch {
                if error.code == 426, let legacy = Legacy.describe(received.frames[1]) {
                    return Incoming(child: child, route: route, body: .refused(.olderProtocol(description: legacy, version: received.frames[1][2])))
                }
                logger.warning("dropped a malformed frame", metadata: ["peer.id": .string(child), "reason": .string(error.reason)])
                send(route, .error(code: error.code, reason: error.reason))
            }
        }
        return nil
    }

    func send(_ route: [UInt8], _ message: WireMessage) {
        send(route, encoded: WireCodec.encode(message))
    }

    /// Sends a frame already encoded (one catalogue delta goes to many children).
    func send(_ route: [UInt8], encoded frame: [UInt8]) {
        _ = try? router.send([route, frame])
    }

    /// An ERROR in the frame of `version` (its layout is the same in every version).
    func tell(_ route: [UInt8], code: UInt16, reason: String, version: UInt8?) {
        var frame = WireCodec.encode(.error(code: code, reason: reason))
        if let version { frame[2] = version }
        _ = try? router.send([route, frame])
    }
}

/// The connection to the parent: a CURVE DEALER. Owned by the runtime's thread.
final class ParentPort {
    let dealer: ZMQSocket

    init(_ context: ZMQContext, endpoint: String, parentKey: String, keys: CurveKeyPair) throws {
        dealer = try ZMQSocket(context, .dealer)
        // Queue only on a finished connection: HELLOs sent while the parent is away are dropped,
        // not delivered in a burst when it returns.
        try dealer.set(ZMQOption.immediate, Int32(1))
        try dealer.set(ZMQOption.curveServerKey, parentKey)
        try dealer.set(ZMQOption.curvePublicKey, keys.publicKey)
        try dealer.set(ZMQOption.curveSecretKey, keys.secretKey)
        try dealer.set(ZMQOption.reconnectInterval, Int32(200))
        try dealer.set(ZMQOption.reconnectIntervalMax, Int32(5000))
        try dealer.set(ZMQOption.sendHighWater, Int32(1000))
        try dealer.connect(endpoint)
    }

    /// True when the message was queued on a finished connection.
    @discardableResult
    func send(_ message: WireMessage) -> Bool { (try? dealer.send([WireCodec.encode(message)])) == true }

    /// What the parent said: a message, or the protocol it speaks if not this one.
    enum Incoming {
        case message(WireMessage)
        case otherProtocol(String)
    }

    /// The next one-frame message, if one is waiting; a malformed frame is logged and dropped.
    func receive(logger: Logger) throws -> Incoming? {
        while let received = try dealer.receive() {
            guard received.frames.count == 1 else { continue }
            do {
                return .message(try WireCodec.decode(received.frames[0]))
            } catch {
                if error.code == 426, let legacy = Legacy.describe(received.frames[0]) { return .otherProtocol(legacy) }
                logger.warning("dropped a malformed frame from the parent", metadata: ["reason": .string(error.reason)])
            }
        }
        return nil
    }
}
