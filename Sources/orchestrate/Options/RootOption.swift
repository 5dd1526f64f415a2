import ArgumentParser
import FoundationEssentials
import OrchestrateKit

/// `--root` for commands that name no pipeline file.
struct RootOption: ParsableArguments {
  @Option(
    help:
      "Root directory holding metrics/ and logs/ (default: $ORCHESTRATE_ROOT, else the current directory).",
    completion: .directory)
  var root: String?

  var layout: RootLayout {
    RootLayout.resolve(rootOption: root, environment: ProcessInfo.processInfo.environment)
  }
}
