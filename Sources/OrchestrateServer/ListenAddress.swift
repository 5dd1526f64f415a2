import Foundation

/// `--listen HOST:PORT`: an IPv4 address and a port (0 picks a free one).
public struct ListenAddress: Sendable, Equatable {
  public var host: String
  public var port: UInt16

  public init(_ text: String) throws(ServeError) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let port = UInt16(parts[1]) else { throw .badListen(text) }
    var address = in_addr()
    guard inet_pton(AF_INET, String(parts[0]), &address) == 1 else { throw .badListen(text) }
    self.host = String(parts[0])
    self.port = port
  }

  /// Only this machine can connect: no token needed.
  public var isLoopback: Bool { host.hasPrefix("127.") }
}
