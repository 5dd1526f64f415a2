import Foundation

/// Where each request starts and ends in the bytes a client sends, so that
/// every request head is checked before the HTTP server reads it: a head
/// is passed on only once it is complete and within the limit, a body only
/// with a `Content-Length` that `serve`, being read-only, can afford to
/// read and throw away.
struct RequestFraming {
  enum Refusal: Error, Equatable {
    case headTooLarge, bodyTooLarge, lengthRequired, badLength
  }

  let headLimit: Int
  let bodyLimit: Int
  private var head: [UInt8] = []
  private var bodyLeft = 0

  init(headLimit: Int, bodyLimit: Int) {
    self.headLimit = headLimit
    self.bodyLimit = bodyLimit
  }

  /// The bytes to pass on from `bytes`, and why the connection must be
  /// refused once they are, if it must.
  mutating func feed(_ bytes: some Collection<UInt8>) -> (forward: [UInt8], refusal: Refusal?) {
    var forward: [UInt8] = []
    var rest = bytes[...]
    while let byte = rest.first {
      if bodyLeft > 0 {
        let body = rest.prefix(bodyLeft)
        forward += body
        bodyLeft -= body.count
        rest = rest.dropFirst(body.count)
        continue
      }
      rest = rest.dropFirst()
      head.append(byte)
      if head.count > headLimit { return (forward, .headTooLarge) }
      guard byte == Self.lineFeed else { continue }
      // Empty lines before a request line are allowed, and meaningless.
      if head == [Self.lineFeed] || head == [Self.carriageReturn, Self.lineFeed] {
        head.removeAll()
        continue
      }
      guard head.suffix(4).elementsEqual(Self.blankLine) || head.suffix(2) == [10, 10] else {
        continue
      }
      switch Self.bodyLength(of: head, limit: bodyLimit) {
      case .failure(let refusal): return (forward, refusal)
      case .success(let length): bodyLeft = length
      }
      forward += head
      head.removeAll()
    }
    return (forward, nil)
  }

  static let lineFeed = UInt8(ascii: "\n")
  static let carriageReturn = UInt8(ascii: "\r")
  static let blankLine: [UInt8] = [13, 10, 13, 10]

  /// The body a head announces: a `Content-Length` up to `limit`; a
  /// `Transfer-Encoding` body cannot be measured before it is read.
  static func bodyLength(of head: [UInt8], limit: Int) -> Result<Int, Refusal> {
    var length = 0
    for line in head.split(separator: lineFeed).dropFirst() {
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
      let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
      let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      switch name.trimmingCharacters(in: .whitespaces) {
      case "transfer-encoding": return .failure(.lengthRequired)
      case "content-length":
        guard let number = Int(value), number >= 0 else { return .failure(.badLength) }
        guard number <= limit else { return .failure(.bodyTooLarge) }
        length = number
      default: continue
      }
    }
    return .success(length)
  }
}
