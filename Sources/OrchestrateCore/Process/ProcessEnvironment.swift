import FoundationEssentials
import Glibc

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

  /// This process's own environment, for the helper programs it runs.
  package static var inherited: ProcessEnvironment {
    ProcessEnvironment(shared: SharedEnvironment(ProcessInfo.processInfo.environment))
  }

  /// Calls `body` with a NULL-terminated `envp` valid for the call.
  func withEnvp<T>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> T) rethrows
    -> T
  {
    let own = overrides.map { strdup($0.key + "=" + $0.value) }
    defer { for entry in own { free(entry) } }
    // A task overrides a handful of names: find those in the shared block
    // rather than every shared name among the overrides.
    let replaced = overrides.keys.compactMap { shared.positions[$0] }
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    pointers.reserveCapacity(shared.entries.count + own.count + 1)
    if replaced.isEmpty {
      pointers.append(contentsOf: shared.entries)
    } else {
      for (position, entry) in shared.entries.enumerated() where !replaced.contains(position) {
        pointers.append(entry)
      }
    }
    pointers.append(contentsOf: own)
    pointers.append(nil)
    return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
  }
}

/// `KEY=VALUE` C strings, freed with the value.
public final class SharedEnvironment: Sendable {
  /// Where each name's entry is in `entries`.
  let positions: [String: Int]
  nonisolated(unsafe) let entries: [UnsafeMutablePointer<CChar>]

  public init(_ variables: [String: String]) {
    let keys = Array(variables.keys)
    positions = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
    entries = keys.map { strdup($0 + "=" + variables[$0]!) }
  }

  deinit {
    for entry in entries { free(entry) }
  }

  /// The value of `name`, if the block has it.
  public func value(of name: String) -> String? {
    guard let position = positions[name] else { return nil }
    let entry = String(cString: entries[position])
    return String(entry.dropFirst(name.utf8.count + 1))
  }
}
