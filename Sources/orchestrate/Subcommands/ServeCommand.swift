import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

/// `orchestrate serve …` runs `orchestrate-serve …` from the same directory,
/// in place of this process (same pid, so signals and exit status are the
/// server's): the server framework stays out of the binary cron starts.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the report's pages and a read-only JSON API, live from metrics/.",
    discussion:
      "Runs orchestrate-serve (installed beside orchestrate); see orchestrate serve --help.")

  @Argument(parsing: .captureForPassthrough, help: "Options of orchestrate-serve.")
  var arguments: [String] = []

  func run() throws {
    let own =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    let program = PathName.parent(own) + "/orchestrate-serve"
    let argv = [program] + arguments
    var cArguments = argv.map { strdup($0) } + [nil]
    execv(program, &cArguments)
    let reason = String(cString: strerror(errno))
    try CommandFailure.exitOnFailure {
      throw CommandFailure(
        message:
          "serve needs \(program) (\(reason)); it is built with orchestrate: swift build --product orchestrate-serve",
        exitCode: 2)
    }
  }
}
