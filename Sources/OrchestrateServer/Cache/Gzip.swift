import CServeSupport
import Foundation

/// gzip of an answer's body, through the system's zlib. A Swift package
/// that wraps it (compress-nio) needs SwiftNIO's buffers, which serve keeps
/// out of its build; one deflate call is all serve needs.
enum Gzip {
  /// Bodies smaller than this are sent as they are: headers and a
  /// round trip cost more than the bytes saved.
  static let smallestBody = 2048

  /// The gzip stream of `data`, or nil when zlib fails.
  static func compress(_ data: Data, level: Int32 = 6) -> Data? {
    var stream = z_stream()
    // 15 bits of window, +16: a gzip header and trailer around the deflate stream.
    let ready = deflateInit2_(
      &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
      Int32(MemoryLayout<z_stream>.size))
    guard ready == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    var output = Data(count: Int(deflateBound(&stream, uLong(data.count))) + 32)
    let finished = data.withUnsafeBytes { input -> Int? in
      output.withUnsafeMutableBytes { out -> Int? in
        stream.next_in = UnsafeMutablePointer(
          mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(input.count)
        stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
        stream.avail_out = uInt(out.count)
        // The bound is enough for one call to finish the stream.
        guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return nil }
        return Int(stream.total_out)
      }
    }
    guard let finished else { return nil }
    output.count = finished
    return output
  }

  /// Whether an `Accept-Encoding` value accepts gzip (`gzip`, `x-gzip` or
  /// `*`, with a weight above zero).
  static func isAccepted(by acceptEncoding: String?) -> Bool {
    guard let acceptEncoding else { return false }
    var named: Bool?
    var any = false
    for item in acceptEncoding.split(separator: ",") {
      let parts = item.split(separator: ";").map {
        $0.trimmingCharacters(in: .whitespaces).lowercased()
      }
      guard let coding = parts.first else { continue }
      let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap {
        Double($0.dropFirst(2))
      }
      let accepted = (weight ?? 1) > 0
      if coding == "gzip" || coding == "x-gzip" {
        named = (named ?? false) || accepted
      } else if coding == "*" {
        any = accepted
      }
    }
    return named ?? any
  }
}
