import FoundationEssentials

/// Secret values (parameters declared `secret: true`, everything read from
/// an `env_file`): wherever orchestrate would show one, it shows `***`.
public struct SecretMask: Sendable, Equatable {
  public static let placeholder = "***"
  /// Values this short are not masked in free text: `1` or `on` would mask
  /// half of every line.
  public static let minimumLength = 4

  /// Longest first, so a secret that contains another is masked whole.
  public private(set) var values: [String]

  public init(_ values: [String] = []) {
    self.values = Set(values.filter { $0.utf8.count >= Self.minimumLength })
      .sorted { ($0.utf8.count, $0) > ($1.utf8.count, $1) }
  }

  /// `text` with every secret value replaced by `***`.
  public func apply(_ text: String) -> String {
    guard !values.isEmpty else { return text }
    var result = text
    for value in values where result.contains(value) {
      result = result.replacing(value, with: Self.placeholder)
    }
    return result
  }
}
