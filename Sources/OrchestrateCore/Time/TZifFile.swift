/// The binary format of the tz database's compiled files (RFC 8536): a
/// header, the transitions with 32-bit times, then (version 2 and later)
/// the same with 64-bit times and a POSIX TZ rule for later times.
enum TZifFile {
  static func parse(_ bytes: [UInt8], identifier: String) -> ZoneInfo? {
    guard var header = Header(bytes, at: 0) else { return nil }
    var start = Header.size
    var timeSize = 4
    if header.version >= 2 {
      // Skip the 32-bit block: the 64-bit one after it says the same for all times.
      start += header.dataSize(timeSize: 4)
      guard let second = Header(bytes, at: start) else { return nil }
      header = second
      start += Header.size
      timeSize = 8
    }
    guard bytes.count >= start + header.dataSize(timeSize: timeSize) else { return nil }
    var cursor = start
    var transitions: [Int64] = []
    transitions.reserveCapacity(header.timeCount)
    for _ in 0..<header.timeCount {
      transitions.append(timeSize == 8 ? int64(bytes, at: cursor) : Int64(int32(bytes, at: cursor)))
      cursor += timeSize
    }
    let typeIndices = bytes[cursor..<cursor + header.timeCount].map(Int.init)
    cursor += header.timeCount
    var typeOffsets: [Int32] = []
    for index in 0..<header.typeCount {
      typeOffsets.append(int32(bytes, at: cursor + index * 6))
    }
    guard !typeOffsets.isEmpty, typeIndices.allSatisfy({ $0 < typeOffsets.count }),
      zip(transitions, transitions.dropFirst()).allSatisfy({ $0 < $1 })
    else { return nil }

    var rule: PosixZoneRule?
    if header.version >= 2 {
      let footerStart = start + header.dataSize(timeSize: 8)
      let footer = bytes[footerStart...].drop(while: { $0 == 0x0A }).prefix(while: { $0 != 0x0A })
      if !footer.isEmpty {
        rule = PosixZoneRule(String(decoding: footer, as: UTF8.self))
      }
    }
    return ZoneInfo(
      identifier: identifier, transitions: transitions,
      offsets: typeIndices.map { typeOffsets[$0] }, initialOffset: typeOffsets[0], rule: rule)
  }

  private struct Header {
    static let size = 44
    var version: Int
    var utIndicatorCount, standardIndicatorCount, leapCount, timeCount, typeCount, charCount: Int

    init?(_ bytes: [UInt8], at offset: Int) {
      guard bytes.count >= offset + Self.size, bytes[offset..<offset + 4].elementsEqual("TZif".utf8)
      else { return nil }
      version = bytes[offset + 4] == 0 ? 1 : Int(bytes[offset + 4]) - 0x30
      let counts = (0..<6).map { Int(UInt32(bitPattern: int32(bytes, at: offset + 20 + $0 * 4))) }
      (utIndicatorCount, standardIndicatorCount, leapCount) = (counts[0], counts[1], counts[2])
      (timeCount, typeCount, charCount) = (counts[3], counts[4], counts[5])
    }

    func dataSize(timeSize: Int) -> Int {
      timeCount * (timeSize + 1) + typeCount * 6 + charCount + leapCount * (timeSize + 4)
        + standardIndicatorCount + utIndicatorCount
    }
  }

  private static func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
    Int32(bitPattern: bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) })
  }

  private static func int64(_ bytes: [UInt8], at offset: Int) -> Int64 {
    Int64(bitPattern: bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) })
  }
}
