import Foundation

/// A child's environment: `KEY=VALUE` strings shared by every task of a run,
/// made once, with the task's own few variables laid over them at spawn.
/// Building the whole block anew for each task cost more than the rest of
/// starting it.
public struct ProcessEnvironment: Sendable {
  public var shared: SharedEnvironment
  /// Win over shared entries of the same name.
  public var overrides: [String: String]

  public init(shared: SharedEnvironment, overrides: [String: String] = [:]) {
    self.shared = shared
    self.overrides = overrides
  }

  /// Calls `body` with a NULL-terminated `envp` valid for the call.
  func withEnvp<T>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> T) rethrows
    -> T
  {
    let own = overrides.map { strdup($0.key + "=" + $0.value) }
    defer { own.forEach { free($0) } }
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    pointers.reserveCapacity(shared.entries.count + own.count + 1)
    for (key, entry) in zip(shared.keys, shared.entries) where overrides[key] == nil {
      pointers.append(entry)
    }
    pointers.append(contentsOf: own)
    pointers.append(nil)
    return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
  }
}

/// `KEY=VALUE` C strings, freed with the value.
public final class SharedEnvironment: Sendable {
  let keys: [String]
  nonisolated(unsafe) let entries: [UnsafeMutablePointer<CChar>]

  public init(_ variables: [String: String]) {
    keys = Array(variables.keys)
    entries = keys.map { strdup($0 + "=" + variables[$0]!) }
  }

  deinit {
    entries.forEach { free($0) }
  }
}
