import CZeroMQ
import SanjiCore
#if canImport(Glibc)
import Glibc
#endif

/// An error from libzmq, with its errno text.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// The errno libzmq reported.
    public let code: Int32
    /// The call that failed (`zmq_socket`, `bind tcp://…`, `zmq_setsockopt 42` …).
    public let operation: String

    init(_ operation: String) {
        code = zmq_errno()
        self.operation = operation
    }

    /// The operation, then libzmq's text for the errno.
    public var description: String { "\(operation): \(String(validatingCString: zmq_strerror(code)) ?? "error \(code)")" }
    /// EAGAIN: the call would have blocked (nothing to receive, or no room to send).
    public var isAgain: Bool { code == EAGAIN }
    /// EINTR: a signal interrupted the call.
    public var isInterrupted: Bool { code == EINTR }
}

/// A libzmq context. libzmq documents contexts as thread-safe.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// `maxSockets`: libzmq's default is 1,023 sockets a context (a load generator needs more).
    public init(maxSockets: Int32? = nil, ioThreads: Int32? = nil) {
        handle = zmq_ctx_new()
        if let maxSockets { zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, maxSockets) }
        if let ioThreads { zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) }
    }

    deinit { zmq_ctx_term(handle) }

    /// Whether the libzmq linked in supports CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") == 1 }
}

/// A libzmq socket. Not thread-safe: one thread owns it for its whole life.
public final class ZMQSocket {
    /// The ZeroMQ socket type.
    public enum Kind {
        case router, dealer, rep, req, pair
        var raw: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .rep: ZMQ_REP
            case .req: ZMQ_REQ
            case .pair: ZMQ_PAIR
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    private var closed = false

    /// A new socket of `kind` in `context`, with ZMQ_LINGER 0: closing it drops unsent messages.
    public init(_ context: ZMQContext, _ kind: Kind) throws {
        guard let h = zmq_socket(context.handle, kind.raw) else { throw ZMQError("zmq_socket") }
        handle = h
        try set(ZMQ_LINGER, Int32(0))
    }

    deinit { close() }

    /// Closes the socket, dropping unsent messages; later calls do nothing (deinit calls it too).
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    /// Sets an integer socket option (a `ZMQOption`).
    public func set(_ option: Int32, _ value: Int32) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else { throw ZMQError("zmq_setsockopt \(option)") }
    }

    /// Sets a 64-bit integer socket option (`ZMQOption.maxMessageSize`).
    public func set(_ option: Int32, _ value: Int64) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) == 0 else { throw ZMQError("zmq_setsockopt \(option)") }
    }

    /// Sets a socket option to the UTF-8 bytes of `value` (a Z85 CURVE key, a routing id, a ZAP domain).
    public func set(_ option: Int32, _ value: String) throws {
        let bytes = Array(value.utf8)
        guard bytes.withUnsafeBytes({ zmq_setsockopt(handle, option, $0.baseAddress, bytes.count) }) == 0 else {
            throw ZMQError("zmq_setsockopt \(option)")
        }
    }

    /// Reads a text socket option (at most 511 bytes).
    public func string(_ option: Int32) throws -> String {
        var buf = [CChar](repeating: 0, count: 512)
        var len = buf.count
        guard zmq_getsockopt(handle, option, &buf, &len) == 0 else { throw ZMQError("zmq_getsockopt \(option)") }
        return Self.text(buf)
    }

    /// Binds to `endpoint` (`tcp://0.0.0.0:7701`; `tcp://127.0.0.1:*` for any free port, see `lastEndpoint`).
    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("bind \(endpoint)") }
    }

    /// Connects to `endpoint`; libzmq connects in the background and reconnects by itself.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("connect \(endpoint)") }
    }

    /// A NUL-terminated C buffer as text.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The endpoint actually bound (resolves `tcp://host:*`).
    public var lastEndpoint: String { (try? string(ZMQ_LAST_ENDPOINT)) ?? "" }

    /// Sends a multipart message without blocking; false when it would block (peer gone, queue full).
    @discardableResult
    public func send(_ frames: [[UInt8]]) throws -> Bool {
        for (i, frame) in frames.enumerated() {
            let flags = ZMQ_DONTWAIT | (i < frames.count - 1 ? ZMQ_SNDMORE : 0)
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, frame.count, flags) }
            if rc < 0 {
                let e = ZMQError("send")
                if e.isAgain || e.code == EHOSTUNREACH { return false }
                throw e
            }
        }
        return true
    }

    /// A received multipart message and the ZAP User-Id of the connection it came on.
    public struct Received {
        /// The message's frames, in order.
        public let frames: [[UInt8]]
        /// The User-Id the ZAP handler gave the connection; nil when it gave none.
        public let userId: String?
    }

    /// Receives one whole multipart message without blocking; nil when none is waiting.
    public func receive() throws -> Received? {
        var frames: [[UInt8]] = []
        var userId: String?
        while true {
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            let rc = zmq_msg_recv(&msg, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let e = ZMQError("receive")
                if e.isAgain, frames.isEmpty { return nil }
                if e.isInterrupted, frames.isEmpty { return nil }
                throw e
            }
            let size = zmq_msg_size(&msg)
            let data = zmq_msg_data(&msg)!
            frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            if userId == nil, let p = zmq_msg_gets(&msg, "User-Id") { userId = String(validatingCString: p) }
            if zmq_msg_more(&msg) == 0 { break }
        }
        return Received(frames: frames, userId: userId)
    }
}

extension ZMQSocket {
    /// Reports this socket's closed connections (ZMQ_EVENT_DISCONNECTED) on a PAIR socket the
    /// caller polls: ZeroMQ drops a peer's connection by itself for a frame over the size limit or
    /// one it cannot read, and says nothing else of it.
    public func monitorDisconnects(_ context: ZMQContext, name: String) throws -> ZMQSocket {
        let endpoint = "inproc://\(name)"
        guard zmq_socket_monitor(handle, endpoint, ZMQ_EVENT_DISCONNECTED) == 0 else { throw ZMQError("zmq_socket_monitor") }
        let pair = try ZMQSocket(context, .pair)
        try pair.connect(endpoint)
        return pair
    }

    /// One monitor event from a PAIR socket made by `monitorDisconnects`: the event number and the
    /// endpoint it concerns, or nil when none is waiting.
    public func monitorEvent() throws -> (event: UInt16, endpoint: String)? {
        guard let m = try receive(), m.frames.count == 2, m.frames[0].count >= 2 else { return nil }
        let event = UInt16(m.frames[0][0]) | UInt16(m.frames[0][1]) << 8
        return (event, String(decoding: m.frames[1], as: UTF8.self))
    }
}

/// Waits on several sockets at once.
public enum ZMQPoll {
    /// Returns, for each socket, whether it is readable; waits at most `timeoutMs`.
    public static func readable(_ sockets: [ZMQSocket], timeoutMs: Int) -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let rc = zmq_poll(&items, Int32(items.count), timeoutMs)
        if rc <= 0 { return Array(repeating: false, count: sockets.count) }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}

extension CurveKeyPair {
    /// A new random keypair; throws when libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41)
        var sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else { throw ZMQError("zmq_curve_keypair") }
        return CurveKeyPair(publicKey: ZMQSocket.text(pub), secretKey: ZMQSocket.text(sec))
    }

    /// The public key of a secret key.
    public static func publicKey(of secret: String) -> String? {
        var pub = [CChar](repeating: 0, count: 41)
        guard secret.utf8.count == 40, zmq_curve_public(&pub, secret) == 0 else { return nil }
        return ZMQSocket.text(pub)
    }

    /// True when `text` is a Z85 CURVE key (40 characters that decode to 32 bytes).
    public static func isValidKey(_ text: String) -> Bool {
        guard text.utf8.count == 40 else { return false }
        var out = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&out, text) != nil
    }
}

extension CurveKeyPair {
    /// Z85 text of a raw 32-byte key (as ZAP hands it over).
    public static func z85(raw: [UInt8]) -> String? {
        guard raw.count == 32 else { return nil }
        var out = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&out, raw, 32) != nil else { return nil }
        return ZMQSocket.text(out)
    }
}

/// libzmq socket option numbers the runtime sets, so that nothing above this module imports C.
public enum ZMQOption {
    /// ZMQ_ROUTING_ID: the identity this socket gives a ROUTER peer, which addresses its replies by it.
    public static let routingId = ZMQ_ROUTING_ID
    /// ZMQ_ROUTER_HANDOVER: a ROUTER gives a routing id already in use to the new connection instead of refusing it.
    public static let routerHandover = ZMQ_ROUTER_HANDOVER
    /// ZMQ_CURVE_SERVER: the socket takes the CURVE server role, authenticating clients with its secret key.
    public static let curveServer = ZMQ_CURVE_SERVER
    /// ZMQ_CURVE_PUBLICKEY: this socket's long-term CURVE public key (Z85), which a client must set.
    public static let curvePublicKey = ZMQ_CURVE_PUBLICKEY
    /// ZMQ_CURVE_SECRETKEY: this socket's long-term CURVE secret key (Z85).
    public static let curveSecretKey = ZMQ_CURVE_SECRETKEY
    /// ZMQ_CURVE_SERVERKEY: the server public key a CURVE client expects; it makes the socket a client.
    public static let curveServerKey = ZMQ_CURVE_SERVERKEY
    /// ZMQ_ZAP_DOMAIN: the domain passed to the ZAP handler when a connection is authenticated.
    public static let zapDomain = ZMQ_ZAP_DOMAIN
    /// ZMQ_MAXMSGSIZE: the largest inbound message, in bytes; a peer that sends a larger one is disconnected.
    public static let maxMessageSize = ZMQ_MAXMSGSIZE
    /// ZMQ_SNDHWM: the most outbound messages queued per peer; past it a send would block, or a ROUTER drops (0: no limit).
    public static let sendHighWater = ZMQ_SNDHWM
    /// ZMQ_RCVHWM: the most inbound messages queued per peer before libzmq stops reading from it (0: no limit).
    public static let receiveHighWater = ZMQ_RCVHWM
    /// ZMQ_RECONNECT_IVL: milliseconds to wait before reconnecting a lost or failed connection (-1: never).
    public static let reconnectInterval = ZMQ_RECONNECT_IVL
    /// ZMQ_RECONNECT_IVL_MAX: milliseconds the reconnect wait may grow to, doubling after each failure (0: it does not grow).
    public static let reconnectIntervalMax = ZMQ_RECONNECT_IVL_MAX
    /// ZMQ_HANDSHAKE_IVL: milliseconds a new connection has to finish its handshake (CURVE included) before it is dropped.
    public static let handshakeInterval = ZMQ_HANDSHAKE_IVL
    /// ZMQ_IMMEDIATE: queue messages only on completed connections; with none, a send fails instead of waiting.
    public static let immediate = ZMQ_IMMEDIATE
}
