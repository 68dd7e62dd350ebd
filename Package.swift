// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Sanji",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sanji", targets: ["sanji"]),
        .library(name: "SanjiCore", targets: ["SanjiCore"]),
        .library(name: "SanjiStore", targets: ["SanjiStore"]),
        .library(name: "SanjiBus", targets: ["SanjiBus"]),
        .library(name: "SanjiNode", targets: ["SanjiNode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure domain: values and functions, no I/O beyond decoding bytes handed to it.
        .target(name: "SanjiCore"),
        // SQLite through GRDB: migrations, repositories, summary rows and revs, imports.
        .target(
            name: "SanjiStore",
            dependencies: [
                "SanjiCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libzmq, as Debian ships it. Only SanjiBus imports it.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // Sockets, CURVE keys and the SJP/1 wire codec (docs/protocol.md).
        .target(name: "SanjiBus", dependencies: ["SanjiCore", "CZeroMQ"]),
        // The node runtime: uplink, downlink, relay, heartbeats.
        .target(
            name: "SanjiNode",
            dependencies: ["SanjiCore", "SanjiStore", "SanjiBus", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "sanji",
            dependencies: [
                "SanjiCore",
                "SanjiStore",
                "SanjiBus",
                "SanjiNode",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SanjiCoreTests", dependencies: ["SanjiCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SanjiStoreTests",
            dependencies: ["SanjiCore", "SanjiStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Helpers the end-to-end suites share (running the built binary).
        .target(name: "SanjiTestSupport", path: "Tests/SanjiTestSupport"),
        .testTarget(name: "SanjiCLITests", dependencies: ["SanjiCore", "SanjiTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SanjiBusTests", dependencies: ["SanjiBus", "SanjiCore", "SanjiNode"]),
        // Test tooling, not shipped: a TCP proxy that delays a link (the rural-link tests).
        .executableTarget(name: "sanji-netproxy", path: "Tests/NetProxy"),
        .testTarget(name: "FederationTests", dependencies: ["SanjiCore", "SanjiStore", "SanjiBus", "SanjiTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
