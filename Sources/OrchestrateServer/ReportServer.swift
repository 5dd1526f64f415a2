import FlyingFox
import FlyingSocks
import Foundation
import OrchestrateKit

/// `orchestrate serve`: the report's pages and the JSON API over HTTP,
/// rendered on request from the metrics directory. FlyingFox (plain
/// sockets, Swift concurrency) keeps SwiftNIO out of the build.
public final class ReportServer: Sendable {
  let server: HTTPServer
  public let address: ListenAddress

  /// Connections idle this long are closed: a client cannot hold one forever.
  public static let requestTimeout: TimeInterval = 15

  public init(layout: RootLayout, windowDays: Int, address: ListenAddress, token: AccessToken?)
    throws(ServeError)
  {
    let socketAddress: sockaddr_in
    do {
      socketAddress = try .inet(ip4: address.host, port: address.port)
    } catch {
      throw .badListen("\(address.host):\(address.port)")
    }
    self.address = address
    server = HTTPServer(
      address: socketAddress, timeout: Self.requestTimeout, logger: .disabled,
      handler: ReportRoutes(layout: layout, windowDays: windowDays, token: token))
  }

  /// Serves until `stop()`; throws when the address cannot be bound.
  public func run() async throws {
    try await server.run()
  }

  /// The port actually bound (the one asked for, or the free one picked for 0).
  public func listeningPort() async throws -> UInt16? {
    try await server.waitUntilListening(timeout: 10)
    guard case .ip4(_, let port) = await server.listeningAddress else { return nil }
    return port
  }

  /// Lets requests in flight finish (at most `timeout` seconds), then ends.
  public func stop(timeout: TimeInterval = 3) async {
    await server.stop(timeout: timeout)
  }
}
