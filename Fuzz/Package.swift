// swift-tools-version:5.4
// The fuzz harnesses (libFuzzer), one executable per reader of untrusted
// input. A package of its own so that the main build and CI never build
// them; scripts/fuzz.sh builds and runs them (see README.md).
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an
// executable's `main` for testing, and the link then looks for a
// `<Target>_main` that a harness (whose `main` is libFuzzer's) lacks.
import PackageDescription

let harnesses = [
  "FuzzPipelineYAML", "FuzzPipelineJSON", "FuzzEnvFile", "FuzzRunRecord", "FuzzStatusIndex",
  "FuzzJournal", "FuzzJournalSettle",
]

let package = Package(
  name: "orchestrate-fuzz",
  platforms: [.macOS("13.0")],
  dependencies: [.package(name: "orchestrate", path: "..")],
  targets: harnesses.map {
    .executableTarget(
      name: $0, dependencies: [.product(name: "OrchestrateKit", package: "orchestrate")])
  }
)
