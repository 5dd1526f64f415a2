import Foundation

/// Where each request starts and ends in the bytes a client sends, so that
/// every request head is checked before the HTTP server reads it: a head
/// is passed on only once it is complete and within the limit, a body only
/// with a `Content-Length` that `serve`, being read-only, can afford to
/// read and throw away. A request line must be well formed, in HTTP/1.0 or
/// 1.1, and ask for GET or HEAD (`serve` is read-only).
struct RequestFraming {
  enum Refusal: Error, Equatable {
    case headTooLarge, bodyTooLarge, lengthRequired, badLength
    case badRequestLine, versionNotSupported, methodNotAllowed
    /// The head did not arrive whole in time (a client trickling it).
    case headTimeout
  }

  let headLimit: Int
  let bodyLimit: Int
  private var head: [UInt8] = []
  private var bodyLeft = 0
  /// When the first byte of the head being read arrived.
  private(set) var headStarted: ContinuousClock.Instant?

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
      if head.isEmpty { headStarted = .now }
      head.append(byte)
      if head.count > headLimit { return (forward, .headTooLarge) }
      guard byte == Self.lineFeed else { continue }
      // Empty lines before a request line are allowed, and meaningless.
      if head == [Self.lineFeed] || head == [Self.carriageReturn, Self.lineFeed] {
        head.removeAll()
        headStarted = nil
        continue
      }
      guard head.suffix(4).elementsEqual(Self.blankLine) || head.suffix(2) == [10, 10] else {
        continue
      }
      let method: ArraySlice<UInt8>
      switch Self.method(of: head) {
      case .failure(let refusal): return (forward, refusal)
      case .success(let found): method = found
      }
      switch Self.bodyLength(of: head, limit: bodyLimit) {
      case .failure(let refusal): return (forward, refusal)
      case .success(let length): bodyLeft = length
      }
      guard method.elementsEqual("GET".utf8) || method.elementsEqual("HEAD".utf8) else {
        return (forward, .methodNotAllowed)
      }
      forward += head
      head.removeAll()
      headStarted = nil
    }
    return (forward, nil)
  }

  /// The method of a request line `METHOD SP /target SP HTTP/d.d`; a line
  /// of another shape is a bad request, a version other than 1.0 and 1.1
  /// one this server does not speak.
  static func method(of head: [UInt8]) -> Result<ArraySlice<UInt8>, Refusal> {
    var line = head[..<(head.firstIndex(of: lineFeed) ?? head.endIndex)]
    if line.last == carriageReturn { line = line.dropLast() }
    let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
    guard parts.count == 3, !parts[0].isEmpty,
      parts[0].allSatisfy({ isToken($0) }), parts[1].first == UInt8(ascii: "/"),
      parts[2].count == 8, parts[2].starts(with: "HTTP/".utf8),
      isDigit(parts[2][parts[2].startIndex + 5]), parts[2][parts[2].startIndex + 6] == 46,
      isDigit(parts[2][parts[2].startIndex + 7])
    else { return .failure(.badRequestLine) }
    guard parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8)
    else { return .failure(.versionNotSupported) }
    return .success(parts[0])
  }

  private static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }

  /// RFC 9110's token characters: what a method may be made of.
  private static func isToken(_ byte: UInt8) -> Bool {
    (0x21...0x7E).contains(byte) && !"\"(),/:;<=>?@[\\]{}".utf8.contains(byte)
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
