// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "orchestrate",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "orchestrate", targets: ["orchestrate"]),
    .library(name: "OrchestrateKit", targets: ["OrchestrateKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
  ],
  targets: [
    .executableTarget(
      name: "orchestrate",
      dependencies: [
        "OrchestrateKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(
      name: "OrchestrateKit",
      dependencies: [
        "CArchive",
        "CProcessSupport",
        .product(name: "Yams", package: "Yams"),
        .product(name: "HeapModule", package: "swift-collections"),
      ]
    ),
    // libarchive and zlib, installed by scripts/bootstrap.sh (Debian:
    // libarchive-dev, zlib1g-dev).
    .systemLibrary(
      name: "CArchive",
      providers: [.apt(["libarchive-dev", "zlib1g-dev"])]
    ),
    // The few glibc calls Swift's Glibc module does not import (GNU extensions).
    .target(name: "CProcessSupport"),
    // Helpers both test targets use (running system programs such as tar).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(
      name: "OrchestrateKitTests",
      dependencies: ["OrchestrateKit", "TestSupport"]
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["OrchestrateKit", "TestSupport"]
    ),
  ]
)
