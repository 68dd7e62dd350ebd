// swift-tools-version:6.1
// A libFuzzer target for the SJP/2 decoder, kept out of the main package because it links only
// when built with -sanitize=fuzzer. Run it with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "SanjiFuzz",
    dependencies: [.package(name: "Sanji", path: "..")],
    targets: [
        .executableTarget(name: "WireFuzz", dependencies: [.product(name: "SanjiBus", package: "Sanji"), .product(name: "SanjiFixtures", package: "Sanji")]),
    ],
    swiftLanguageModes: [.v6]
)
