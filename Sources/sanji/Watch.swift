import Foundation
import SanjiCore
#if canImport(Glibc)
import Glibc
#endif

/// Redraws a screen in place, like top: cursor home, each line cleared to its end, the rest of
/// the screen cleared, so there is no flicker. q (or Ctrl-C) leaves and restores the terminal.
enum Watch {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var rawMode = false

    static func restore() {
        if rawMode { tcsetattr(0, TCSANOW, &saved) }
        FileHandle.standardOutput.write(Data("\u{1B}[?25h".utf8))  // show the cursor again
    }

    static func run(every seconds: Int, render: () throws -> String) throws {
        guard isatty(1) == 1 else {
            throw SanjiError(.invalidArgument, "--watch redraws a terminal, and standard output is not one",
                             hint: "for a file or another program, run the command without --watch, as often as needed")
        }
        // With no terminal on standard input there are no keys to read: redraw at the interval only
        // (Ctrl-C leaves), instead of finding input ready at once, forever.
        let keys = isatty(0) == 1
        if keys, tcgetattr(0, &saved) == 0 {
            var raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            tcsetattr(0, TCSANOW, &raw)
            rawMode = true
        }
        signal(SIGINT) { _ in
            Watch.restore()
            _exit(0)
        }
        defer { restore() }
        FileHandle.standardOutput.write(Data("\u{1B}[?25l\u{1B}[2J".utf8))
        while true {
            let screen = try render()
            let body = screen.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\u{1B}[K" }.joined(separator: "\n")
            let footer = "\n\u{1B}[2m" + "q: quit · refresh every \(seconds) s · \(Date())" + "\u{1B}[0m\u{1B}[K"
            FileHandle.standardOutput.write(Data(("\u{1B}[H" + body + footer + "\u{1B}[J").utf8))
            // Wait for the interval, or for a key.
            guard keys else {
                sleep(UInt32(seconds))
                continue
            }
            var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, Int32(seconds * 1000)) > 0 {
                var c: UInt8 = 0
                if read(0, &c, 1) == 1, c == UInt8(ascii: "q") || c == UInt8(ascii: "Q") || c == 3 { break }
                if read(0, &c, 0) < 0 { break }
            }
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
