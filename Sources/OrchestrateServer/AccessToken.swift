import Foundation

/// The bearer token `serve` asks for when it listens beyond loopback:
/// read from a file, compared in constant time (as long as the lengths
/// agree, every byte is looked at whatever the first difference).
public struct AccessToken: Sendable {
  let bytes: [UInt8]

  public init(file: String) throws(ServeError) {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw .badTokenFile(file, "cannot read it")
    }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.utf8.count >= 16 else {
      throw .badTokenFile(file, "the token must be at least 16 characters")
    }
    bytes = Array(text.utf8)
  }

  init(_ text: String) { bytes = Array(text.utf8) }

  func matches(_ candidate: String) -> Bool {
    let given = Array(candidate.utf8)
    guard given.count == bytes.count else { return false }
    var difference: UInt8 = 0
    for index in bytes.indices { difference |= bytes[index] ^ given[index] }
    return difference == 0
  }
}

public enum ServeError: Error, CustomStringConvertible {
  case badTokenFile(String, String)
  case badListen(String)
  case cannotListen(String, String)

  public var description: String {
    switch self {
    case .badTokenFile(let file, let reason): "--token-file \(file): \(reason)"
    case .badListen(let text):
      "--listen '\(text)': expected HOST:PORT with an IPv4 address, e.g. 127.0.0.1:8080"
    case .cannotListen(let address, let reason): "cannot listen on \(address): \(reason)"
    }
  }
}
