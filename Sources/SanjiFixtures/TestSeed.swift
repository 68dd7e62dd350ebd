import Foundation

/// The seeds of a randomised test: printed, so that a failure can be replayed, and taken from
/// `SANJI_TEST_SEED` when it is set (then only that seed runs).
///
///     SANJI_TEST_SEED=2 swift test --filter SummaryPropertyTests
public enum TestSeed {
    /// `defaults`, or the one seed in `SANJI_TEST_SEED`; each is printed with `name`.
    public static func seeds(_ defaults: [UInt64], for name: String) -> [UInt64] {
        let seeds = ProcessInfo.processInfo.environment["SANJI_TEST_SEED"].flatMap(UInt64.init).map { [$0] } ?? defaults
        print("\(name): seed\(seeds.count == 1 ? "" : "s") \(seeds.map(String.init).joined(separator: ", ")) (set SANJI_TEST_SEED to replay one)")
        return seeds
    }

    /// One seed: `fallback`, or the one in `SANJI_TEST_SEED`.
    public static func seed(_ fallback: UInt64, for name: String) -> UInt64 { seeds([fallback], for: name)[0] }
}
