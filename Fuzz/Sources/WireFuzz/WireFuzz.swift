import Foundation
import SanjiBus
import SanjiFixtures

/// libFuzzer's entry point: every input is one frame as a parent or child would receive it.
/// The decoder must never crash, and whatever it accepts must survive a round trip: encoded again
/// and decoded, it is the same message (less the rows it refused one by one). (Not the same bytes: `levels` may come in any order and
/// is re-encoded in the canonical one, as the fuzzer found.)
@_cdecl("LLVMFuzzerTestOneInput")
public func wireFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frame = Array(UnsafeBufferPointer(start: data, count: size))
    guard var message = try? WireCodec.decode(frame) else { return 0 }
    // Rows the decoder refused (`malformed`) are not part of the message: they are not encoded again.
    if case .rows(var batch) = message {
        batch.malformed = []
        message = .rows(batch)
    }
    let again = try? WireCodec.decode(WireCodec.encode(message))
    precondition(again == message, "\(message.name) decoded from \(frame.count) bytes does not survive encoding and decoding again")
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; hand it to libFuzzer's driver, or
/// with `--write-seeds <dir>` write one valid frame of every message there as a starting corpus
/// (from scratch, libFuzzer takes minutes to build a frame deep enough to reach every field).
@_cdecl("WireFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if argc == 3, let flag = argv?[1], String(cString: flag) == "--write-seeds", let dir = argv?[2] {
        let directory = URL(fileURLWithPath: String(cString: dir))
        for (i, message) in WireMessage.examples.enumerated() {
            try? Data(WireCodec.encode(message)).write(to: directory.appendingPathComponent("seed-\(i)-\(message.name)"))
        }
        return 0
    }
    var argc = argc, argv = argv
    return runFuzzerDriver(&argc, &argv, wireFuzz)
}
