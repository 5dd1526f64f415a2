import Foundation
import Testing

@testable import OrchestrateStatus

@Suite struct SecretRangesTests {
  static let mask = SecretMask(["hunter2-token", "s3cr3t"])

  func withFile<T>(_ contents: [UInt8], _ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "secret-ranges-\(UUID().uuidString)"
    #expect(FileManager.default.createFile(atPath: path, contents: Data(contents)))
    defer { unlink(path) }
    return try body(path)
  }

  /// What serve would send: the file streamed through the masker in blocks
  /// of `block` bytes.
  func masked(_ contents: [UInt8], _ ranges: SecretRanges, block: Int) -> String {
    var masker = SecretRangeMasker(ranges)
    var output: [UInt8] = []
    var start = 0
    while start < contents.count {
      let piece = Array(contents[start..<min(contents.count, start + block)])
      _ = piece.withUnsafeBytes { bytes in
        masker.write(bytes) {
          output.append(contentsOf: $0)
          return true
        }
      }
      start += block
    }
    return String(decoding: output, as: UTF8.self)
  }

  @Test func everySecretIsFoundAndMaskedWhateverTheBlocks() throws {
    let text = "token=hunter2-token; again s3cr3ts3cr3t and hunter2-token\nend s3cr3"
    let bytes = Array(text.utf8)
    let ranges = try withFile(bytes) { try #require(SecretRanges.find(in: $0, mask: Self.mask)) }
    #expect(ranges.ranges.count == 3)  // the two adjacent s3cr3t are one range
    let expected = "token=***; again *** and ***\nend s3cr3"
    for block in [1, 2, 3, 7, 64] {
      #expect(masked(bytes, ranges, block: block) == expected, "block of \(block)")
    }
  }

  /// Files are read in blocks of 1 MiB: a secret across the edge is found once.
  @Test func aSecretAcrossTheReadBlockIsFoundOnce() throws {
    var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: (1 << 20) - 5)
    bytes += Array("hunter2-token".utf8) + [UInt8](repeating: UInt8(ascii: "y"), count: 100)
    bytes += Array("s3cr3t".utf8)
    let ranges = try withFile(bytes) { try #require(SecretRanges.find(in: $0, mask: Self.mask)) }
    #expect(ranges.ranges == [(1 << 20) - 5..<(1 << 20) + 8, (1 << 20) + 108..<(1 << 20) + 114])
  }

  @Test func theFileReadsBackAndDamageIsRefused() throws {
    let ranges = SecretRanges([10..<20, 15..<30, 40..<41])
    #expect(ranges.ranges == [10..<30, 40..<41])
    #expect(SecretRanges(ranges.encoded) == ranges)
    #expect(SecretRanges(Data("orchestrate-secret-ranges 1\n".utf8)) == SecretRanges([]))
    for damaged in [
      "", "something else\n1 2\n", "orchestrate-secret-ranges 1\n1\n",
      "orchestrate-secret-ranges 1\n-1 2\n", "orchestrate-secret-ranges 1\n1 0\n",
      "orchestrate-secret-ranges 1\n9223372036854775807 2\n",
    ] {
      #expect(SecretRanges(Data(damaged.utf8)) == nil, "\(damaged)")
    }
  }
}
