import Foundation
import SanjiCore

extension WallClock {
    /// The machine's clock. It lives here, with the store's other I/O, because SanjiCore reads
    /// nothing from the outside world.
    public static let system = WallClock { Int64(Date().timeIntervalSince1970 * 1000) }
}
