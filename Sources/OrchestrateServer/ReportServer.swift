import FlyingFox
import FlyingSocks
import Foundation
import OrchestrateKit

/// `orchestrate serve`: the report's pages and the JSON API over HTTP,
/// computed from the metrics directory and kept until it changes. FlyingFox (plain
/// sockets, Swift concurrency) keeps SwiftNIO out of the build; it listens
/// on a unix socket in a private directory, behind `ConnectionGate`, which
/// owns the public address and applies the limits FlyingFox has none of.
public final class ReportServer: Sendable {
  let server: HTTPServer
  let gate: ConnectionGate
  let socketDirectory: String
  public let address: ListenAddress

  /// Connections idle this long are closed: a client cannot hold one forever.
  public static let requestTimeout: TimeInterval = 15
  public static let defaultMaximumConnections = ConnectionGate.Limits().connections
  public static let defaultMaximumConnectionsPerAddress = ConnectionGate.Limits()
    .connectionsPerAddress

  public init(
    layout: RootLayout, windowDays: Int, address: ListenAddress, token: AccessToken?,
    maximumConnections: Int = defaultMaximumConnections,
    maximumConnectionsPerAddress: Int = defaultMaximumConnectionsPerAddress
  ) throws(ServeError) {
    var template = Array("\(NSTemporaryDirectory())/orchestrate-serve-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else {
      throw .cannotListen("a private socket", String(cString: strerror(errno)))
    }
    socketDirectory = String(cString: template)
    let backend = socketDirectory + "/http.sock"
    var limits = ConnectionGate.Limits()
    limits.connections = maximumConnections
    limits.connectionsPerAddress = maximumConnectionsPerAddress
    limits.idleSeconds = Int(Self.requestTimeout)
    do {
      gate = try ConnectionGate(address: address, backend: backend, limits: limits)
    } catch {
      rmdir(socketDirectory)
      throw error
    }
    self.address = address
    server = HTTPServer(
      address: sockaddr_un.unix(path: backend), timeout: Self.requestTimeout, logger: .disabled,
      handler: ReportRoutes(
        layout: layout, windowDays: windowDays, token: token, cache: AnswerCache()))
  }

  /// Serves until `stop()`; throws when the server cannot start.
  public func run() async throws {
    defer {
      unlink(socketDirectory + "/http.sock")
      rmdir(socketDirectory)
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await self.server.run() }
      try await server.waitUntilListening(timeout: 10)
      gate.start()
      try await group.next()
    }
  }

  /// The port actually bound (the one asked for, or the free one picked for 0).
  public func listeningPort() async throws -> UInt16? {
    gate.port
  }

  /// No new connections; requests in flight may finish (at most `timeout`
  /// seconds), then it ends. The server is stopped once the gate's
  /// connections are gone: its accept loop only ends when cancelled, so
  /// stopping it with a timeout would always take the whole timeout.
  public func stop(timeout: TimeInterval = 3) async {
    gate.stop()
    _ = await gate.drained(within: timeout)
    await server.stop(timeout: 0)
  }
}
