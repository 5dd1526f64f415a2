// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "orchestrate",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "orchestrate", targets: ["orchestrate"]),
    .executable(name: "orchestrate-serve", targets: ["orchestrate-serve"]),
    .library(name: "OrchestrateKit", targets: ["OrchestrateKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    // `serve` only: a small HTTP server on plain sockets (no SwiftNIO).
    .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
  ],
  targets: [
    .executableTarget(
      name: "orchestrate",
      dependencies: [
        "OrchestrateKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // `orchestrate serve` execs this program, so that `orchestrate` (what
    // cron starts) links no server framework.
    .executableTarget(
      name: "orchestrate-serve",
      dependencies: [
        "OrchestrateKit", "OrchestrateServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // `orchestrate serve`: the only module that depends on a server framework.
    .target(
      name: "OrchestrateServer",
      dependencies: [
        "OrchestrateKit", "CServeSupport", .product(name: "FlyingFox", package: "FlyingFox"),
      ]
    ),
    // The targets of the library, lowest first; each sees only those below it
    // (docs/layout.md draws the picture, DependencyTests checks it).
    // Platform, time, YAML, processes, the pipeline model and its loading,
    // parameters, schedule maths.
    .target(
      name: "OrchestrateCore",
      dependencies: ["CProcessSupport", "CYAML"]
    ),
    // The run record and its writer, the crash journal's format, the status
    // index: what a run leaves behind and what status reads.
    .target(
      name: "OrchestrateRecords",
      dependencies: ["OrchestrateCore", .product(name: "HeapModule", package: "swift-collections")]
    ),
    // One run: the scheduler, the executors, the journal writer, preflight,
    // writing and rotating logs, delivering notifications.
    .target(
      name: "OrchestrateExecution",
      dependencies: [
        "OrchestrateRecords",
        "CArchive",
        "CArchiveLoader",
        "CProcessSupport",
        .product(name: "HeapModule", package: "swift-collections"),
      ]
    ),
    // Judging health from the records, the report's pages, what people read
    // on a terminal, shell completion.
    .target(
      name: "OrchestrateStatus",
      dependencies: ["OrchestrateExecution"]
    ),
    // The library as one module: it only re-exports the targets above.
    .target(
      name: "OrchestrateKit",
      dependencies: ["OrchestrateStatus"]
    ),
    // The headers of libarchive and zlib, installed by scripts/bootstrap.sh
    // (Debian: libarchive-dev, zlib1g-dev); zlib is linked, libarchive loaded
    // by CArchiveLoader.
    .systemLibrary(
      name: "CArchive",
      providers: [.apt(["libarchive-dev", "zlib1g-dev"])]
    ),
    // What serve calls that Swift's Glibc module does not import: zlib for
    // gzip answers (Debian: zlib1g-dev), glibc's malloc_trim.
    .systemLibrary(name: "CServeSupport", providers: [.apt(["zlib1g-dev"])]),
    // libarchive's functions, loaded from the library on first use (see the source).
    .target(name: "CArchiveLoader"),
    // libyaml, the YAML parser (Debian: libyaml-dev); the node tree and the
    // decoder over it are OrchestrateKit's own, so that nothing links
    // Foundation's internationalization data.
    .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    // The few glibc calls Swift's Glibc module does not import (GNU extensions).
    .target(name: "CProcessSupport"),
    // Helpers both test targets use (running system programs such as tar).
    .target(name: "TestSupport", dependencies: ["OrchestrateKit"], path: "Tests/TestSupport"),
    .testTarget(
      name: "OrchestrateKitTests",
      dependencies: ["OrchestrateKit", "TestSupport"]
    ),
    .testTarget(
      name: "OrchestrateServerTests",
      dependencies: ["OrchestrateServer"]
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["OrchestrateKit", "TestSupport"]
    ),
  ]
)
