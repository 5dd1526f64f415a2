import ArgumentParser
import Foundation
import OrchestrateKit
import OrchestrateServer

/// `orchestrate serve`, a program of its own so that the server framework
/// never weighs on `orchestrate` itself, which cron starts every night:
/// `orchestrate serve …` replaces itself with this program (see docs/report.md).
@main
struct ServeMain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "orchestrate serve",
    abstract: "Serve the report's pages and a read-only JSON API, live from metrics/.",
    discussion: """
      Listens on 127.0.0.1:8080 by default. Another address needs --token-file \
      (or --insecure-no-auth). Stops gracefully on SIGTERM or SIGINT.
      """)

  @Option(
    help:
      "Root directory holding metrics/ and logs/ (default: $ORCHESTRATE_ROOT, else the current directory)."
  )
  var root: String?

  @Option(help: "HOST:PORT to listen on (port 0 picks a free one).")
  var listen = "127.0.0.1:8080"

  @Option(help: "A file holding the bearer token clients must send.")
  var tokenFile: String?

  @Flag(help: "Listen beyond loopback without a token (anyone who can connect may read).")
  var insecureNoAuth = false

  @Option(help: "Statistics cover runs started in the last N days.")
  var days = 7

  @Option(help: "Clients connected at once; more are answered 503 until one leaves.")
  var maxConnections = ReportServer.defaultMaximumConnections

  @Option(help: "Clients connected at once from one address (at most --max-connections).")
  var maxConnectionsPerAddress = ReportServer.defaultMaximumConnectionsPerAddress

  var layout: RootLayout {
    RootLayout.resolve(rootOption: root, environment: ProcessInfo.processInfo.environment)
  }

  /// Usage errors exit 2 and read as everywhere in orchestrate.
  static func main() {
    SignalTrap.blockAtStart()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let failure as ServeFailure {
      FileHandle.standardError.write(Data("orchestrate: \(failure.message)\n".utf8))
      Foundation.exit(2)
    } catch {
      if exitCode(for: error) == .validationFailure {
        let text = UsageMessage.render(
          message(for: error), command: configuration.commandName ?? "orchestrate serve")
        FileHandle.standardError.write(Data(text.utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }

  func validate() throws {
    if days < 1 { throw ValidationError("--days must be at least 1, got \(days)") }
    if maxConnections < 1 {
      throw ValidationError("--max-connections must be at least 1, got \(maxConnections)")
    }
    if maxConnectionsPerAddress < 1 {
      throw ValidationError(
        "--max-connections-per-address must be at least 1, got \(maxConnectionsPerAddress)")
    }
  }

  func run() throws {
    let server: ReportServer
    do {
      let address = try ListenAddress(listen)
      if !address.isLoopback && tokenFile == nil && !insecureNoAuth {
        throw ServeFailure(
          message:
            "--listen \(listen) is reachable from other machines: give --token-file FILE (or --insecure-no-auth)"
        )
      }
      let token = try tokenFile.map { file throws(ServeError) in try AccessToken(file: file) }
      server = try ReportServer(
        layout: layout, windowDays: days, address: address, token: token,
        maximumConnections: maxConnections,
        maximumConnectionsPerAddress: min(maxConnectionsPerAddress, maxConnections))
    } catch let error as ServeError {
      throw ServeFailure(message: error.description)
    }
    let outcome = ServeOutcome()
    let stopped = DispatchSemaphore(value: 0)
    Task {
      do { try await server.run() } catch { outcome.failure = "\(error)" }
      stopped.signal()
    }
    Task {
      // The readiness line: scripts (and tests) wait for it.
      if let port = try? await server.listeningPort() {
        let line = "serving \(layout.root) on http://\(server.address.host):\(port)/\n"
        FileHandle.standardOutput.write(Data(line.utf8))
      }
    }
    let trap = SignalTrap(queue: .global()) { number in
      outcome.signal = number
      Task { await server.stop() }
    }
    stopped.wait()
    trap.cancel()
    if let number = outcome.signal { SignalTrap.reraise(number) }
    if let failure = outcome.failure {
      FileHandle.standardError.write(
        Data("orchestrate: cannot listen on \(listen): \(failure)\n".utf8))
      throw ExitCode(2)
    }
  }
}

struct ServeFailure: Error {
  var message: String
}

/// How the server ended, written by its task or the signal trap.
private final class ServeOutcome: @unchecked Sendable {
  private let lock = NSLock()
  private var _failure: String?
  private var _signal: Int32?

  var failure: String? {
    get { lock.withLock { _failure } }
    set { lock.withLock { _failure = newValue } }
  }
  var signal: Int32? {
    get { lock.withLock { _signal } }
    set { lock.withLock { _signal = newValue } }
  }
}
