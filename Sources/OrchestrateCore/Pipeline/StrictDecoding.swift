/// Codable ignores keys it does not know; a pipeline file must not, or a typo
/// such as `depend_on` would silently drop a dependency.
struct AnyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    self.stringValue = String(intValue)
    self.intValue = intValue
  }
}

extension Decoder {
  /// Throws for the first key of this mapping that `Keys` (and `MoreKeys`) do not name.
  func rejectUnknownKeys<Keys: CodingKey & CaseIterable, MoreKeys: CodingKey & CaseIterable>(
    besides keys: Keys.Type, _ moreKeys: MoreKeys.Type
  ) throws {
    let container = try container(keyedBy: AnyCodingKey.self)
    for key in container.allKeys
    where Keys(stringValue: key.stringValue) == nil && MoreKeys(stringValue: key.stringValue) == nil
    {
      let known = Set(Keys.allCases.map(\.stringValue) + MoreKeys.allCases.map(\.stringValue))
      var message = "unknown field '\(key.stringValue)'"
      if let guess = closestMatch(to: key.stringValue, in: known) {
        message += " (did you mean '\(guess)'?)"
      }
      throw DecodingError.dataCorrupted(
        .init(codingPath: codingPath + [key], debugDescription: message))
    }
  }

  func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(besides keys: Keys.Type) throws {
    try rejectUnknownKeys(besides: keys, Keys.self)
  }
}

/// The known name within edit distance 2 of `word`, if exactly one is nearest.
package func closestMatch(to word: String, in candidates: Set<String>) -> String? {
  let ranked = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }
    .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
  return ranked.first?.0
}

/// Edits from `a` to `b`, two neighbouring letters swapped counting as one
/// (optimal string alignment): `statsu` is one edit from `status` and two
/// from `state`, so the swap typed is the command meant.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.utf8)
  let b = Array(b.utf8)
  var beforePrevious = [Int]()
  var previous = Array(0...b.count)
  for (i, x) in a.enumerated() {
    var current = [i + 1]
    for (j, y) in b.enumerated() {
      var distance = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
      if i > 0, j > 0, x == b[j - 1], a[i - 1] == y {
        distance = min(distance, beforePrevious[j - 1] + 1)
      }
      current.append(distance)
    }
    beforePrevious = previous
    previous = current
  }
  return previous[b.count]
}

extension Decoder {
  /// A setting spelled as one of a few words (`run_if`, `compression`,
  /// `executor`, `files.readable_by`): the word, or an error listing them all.
  func spelling<T: RawRepresentable & CaseIterable>(of _: T.Type) throws -> T
  where T.RawValue == String {
    let text = try singleValueContainer().decode(String.self)
    guard let value = T(rawValue: text) else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: codingPath,
          debugDescription:
            "'\(text)' is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
    }
    return value
  }
}
