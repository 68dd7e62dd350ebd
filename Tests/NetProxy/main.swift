// sanji-netproxy: a TCP proxy that delays every byte by a fixed time in each direction, for the
// tests that put stations on a slow rural link (Tests/FederationTests/NetworkOfHostsTests.swift).
// The kernel here has no netem qdisc; bandwidth comes from tc tbf and loss from iptables, and
// delay from this. Test tooling only: it is not part of the product.
//
//   sanji-netproxy --listen 10.231.77.2:7810 --to 10.231.77.2:7702 --delay-ms 400
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func fail(_ text: String) -> Never {
    FileHandle.standardError.write(Data("sanji-netproxy: \(text)\n".utf8))
    exit(2)
}

func address(_ text: String) -> sockaddr_in {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let port = UInt16(parts[1]) else { fail("\(text) is not host:port") }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_port = port.bigEndian
    guard inet_pton(AF_INET, String(parts[0]), &a.sin_addr) == 1 else { fail("\(parts[0]) is not an IPv4 address") }
    return a
}

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    return args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
}
guard let listenAt = option("--listen"), let target = option("--to") else {
    fail("usage: sanji-netproxy --listen host:port --to host:port --delay-ms N")
}
let delay = Double(option("--delay-ms").flatMap { Int($0) } ?? 0) / 1000
let destination = address(target)

/// Bytes read at a time, delivered `delayMs` later, in order.
final class Delayed: @unchecked Sendable {
    let condition = NSCondition()
    var queue: [(due: Date, data: [UInt8])] = []
    var closed = false
}

func pump(from: Int32, to: Int32, delay: Double) {
    let line = Delayed()
    Thread.detachNewThread {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = read(from, &buffer, buffer.count)
            line.condition.lock()
            if n <= 0 {
                line.closed = true
            } else {
                line.queue.append((Date().addingTimeInterval(delay), Array(buffer.prefix(n))))
            }
            line.condition.signal()
            line.condition.unlock()
            if n <= 0 { return }
        }
    }
    Thread.detachNewThread {
        while true {
            line.condition.lock()
            while line.queue.isEmpty, !line.closed { line.condition.wait() }
            if line.queue.isEmpty, line.closed {
                line.condition.unlock()
                shutdown(to, Int32(SHUT_WR))
                return
            }
            let (due, data) = line.queue.removeFirst()
            line.condition.unlock()
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            var sent = 0
            while sent < data.count {
                let n = data[sent...].withUnsafeBytes { write(to, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                sent += n
            }
        }
    }
}

signal(SIGPIPE, SIG_IGN)
let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
var one: Int32 = 1
setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
var local = address(listenAt)
let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
guard bound == 0, listen(server, 64) == 0 else { fail("cannot listen on \(listenAt): \(String(validatingCString: strerror(errno)) ?? "")") }
FileHandle.standardOutput.write(Data("listening on \(listenAt), forwarding to \(target) with \(Int(delay * 1000)) ms each way\n".utf8))
while true {
    let client = accept(server, nil, nil)
    guard client >= 0 else { continue }
    let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var d = destination
    let connected = withUnsafePointer(to: &d) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else {
        close(client)
        close(upstream)
        continue
    }
    pump(from: client, to: upstream, delay: delay)
    pump(from: upstream, to: client, delay: delay)
}
