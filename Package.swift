// swift-tools-version:6.1
import PackageDescription

// Modules import only downward: Core ← Report, Store, Bus ← Node ← the `sanji` command.
// GRDB is SanjiStore's alone; libzmq is SanjiBus's alone. Tools (benchmarks, fixtures, the
// test proxy) are apart from the product, and nothing of the product depends on them except
// `sanji simulate`, which uses the fixtures (docs/architecture.md says why).
let package = Package(
    name: "Sanji",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sanji", targets: ["sanji"]),
        .executable(name: "sanji-bench", targets: ["sanji-bench"]),
        .library(name: "SanjiCore", targets: ["SanjiCore"]),
        .library(name: "SanjiStore", targets: ["SanjiStore"]),
        .library(name: "SanjiBus", targets: ["SanjiBus"]),
        .library(name: "SanjiNode", targets: ["SanjiNode"]),
        .library(name: "SanjiFixtures", targets: ["SanjiFixtures"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    ],
    targets: [
        // Pure domain: values and functions. No clock, no files, no sockets, no database.
        .target(name: "SanjiCore"),
        // What people read: tables, JSON, CSV, Markdown, HTML and SVG of Core's reports; the 通报's
        // templates are mustache (a county edits its own copy).
        .target(name: "SanjiReport", dependencies: ["SanjiCore", .product(name: "Mustache", package: "swift-mustache")]),
        // SQLite through GRDB, sealed: migrations, records, summary rows and revs, imports.
        .target(
            name: "SanjiStore",
            dependencies: [
                "SanjiCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // libzmq, as Debian ships it. Only SanjiBus imports it.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // Sockets, CURVE keys and the SJP/3 wire codec (docs/protocol.md).
        .target(name: "SanjiBus", dependencies: ["SanjiCore", "CZeroMQ"]),
        // The node runtime: state machines (parent link, child sessions) and the I/O shell.
        .target(
            name: "SanjiNode",
            dependencies: ["SanjiCore", "SanjiStore", "SanjiBus", .product(name: "Logging", package: "swift-log")]
        ),
        // Starting processes (posix_spawn), for the cluster launcher, the benchmarks and the tests.
        .target(name: "SanjiSpawn"),
        // Made-up activity and wire messages: for tests, benchmarks, fuzzing and `sanji simulate`.
        .target(name: "SanjiFixtures", dependencies: ["SanjiCore", "SanjiBus"]),
        .executableTarget(
            name: "sanji",
            dependencies: [
                "SanjiCore", "SanjiReport", "SanjiStore", "SanjiBus", "SanjiNode", "SanjiSpawn", "SanjiFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmarks: drive the `sanji` binary beside them, each beside its raw limit.
        .executableTarget(
            name: "sanji-bench",
            dependencies: [
                "SanjiCore", "SanjiReport", "SanjiStore", "SanjiBus", "SanjiSpawn", "SanjiFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Unit tests: no processes, seconds (scripts/test.sh --fast).
        .testTarget(name: "SanjiCoreTests", dependencies: ["SanjiCore", "SanjiReport", "SanjiFixtures"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SanjiReportTests", dependencies: ["SanjiCore", "SanjiReport"]),
        .testTarget(name: "SanjiStoreTests", dependencies: ["SanjiCore", "SanjiReport", "SanjiStore", "SanjiFixtures", "SanjiSpawn"]),
        .testTarget(name: "SanjiBusTests", dependencies: ["SanjiBus", "SanjiCore", "SanjiFixtures"]),
        .testTarget(name: "SanjiNodeTests", dependencies: ["SanjiNode", "SanjiBus", "SanjiCore"]),

        // Process tests: real `sanji` processes, sockets and files.
        .target(name: "SanjiTestSupport", dependencies: ["SanjiSpawn"], path: "Tests/SanjiTestSupport"),
        .testTarget(name: "SanjiCLITests", dependencies: ["SanjiCore", "SanjiStore", "SanjiTestSupport"]),
        .testTarget(
            name: "FederationTests",
            dependencies: ["SanjiCore", "SanjiStore", "SanjiBus", "SanjiTestSupport", "SanjiFixtures", "SanjiSpawn"]
        ),
        // Test tooling, not shipped: a TCP proxy that delays a link (the rural-link tests).
        .executableTarget(name: "sanji-netproxy", path: "Tests/NetProxy"),
    ],
    swiftLanguageModes: [.v6]
)
