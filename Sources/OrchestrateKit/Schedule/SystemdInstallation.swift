import FoundationEssentials
import Glibc

/// Writes and removes a root's unit files in a unit directory. It never
/// runs systemctl: it says which command to run.
public struct SystemdInstallation {
  public var directory: String
  /// Units for `systemctl --user`.
  public var user: Bool

  public struct Refusal: Error, CustomStringConvertible {
    public var description: String
  }

  public init(directory: String, user: Bool) {
    self.directory = directory
    self.user = user
  }

  /// Where systemd looks for administrator units: the system's, or the
  /// user's own under `$HOME` (`$XDG_CONFIG_HOME` when set).
  public static func defaultDirectory(user: Bool, environment: [String: String]) -> String {
    guard user else { return "/etc/systemd/system" }
    if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
      return "\(config)/systemd/user"
    }
    return
      "\(environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path)/.config/systemd/user"
  }

  var systemctl: String { user ? "systemctl --user" : "systemctl" }

  /// The files and their contents, refusing to overwrite files orchestrate
  /// did not write.
  public func files(for units: [SystemdUnits]) throws(Refusal) -> [(path: String, text: String)] {
    var files: [(String, String)] = []
    for unit in units {
      for (name, text) in [(unit.serviceFile, unit.service), (unit.timerFile, unit.timer)] {
        let path = "\(directory)/\(name)"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8),
          !existing.hasPrefix(SystemdUnits.marker)
        {
          throw Refusal(
            description: "\(path) exists and was not written by orchestrate; "
              + "move it away or choose another --unit-dir")
        }
        files.append((path, text))
      }
    }
    return files
  }

  public func write(_ files: [(path: String, text: String)]) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for file in files { try AtomicFile.write(Data(file.text.utf8), to: file.path) }
  }

  public func enableCommand(_ units: [SystemdUnits]) -> String {
    "\(systemctl) daemon-reload && \(systemctl) enable --now "
      + units.map(\.timerFile).joined(separator: " ")
  }

  /// The unit files of `root` in the directory (of the named pipelines
  /// only, when given): the ones whose first line says orchestrate wrote
  /// them for this root.
  public func installed(root: String, pipelines: [String]?) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let header = "\(SystemdUnits.marker) for \(root)\n"
    return names.sorted().filter { name in
      guard name.hasPrefix("orchestrate-"), name.hasSuffix(".service") || name.hasSuffix(".timer")
      else { return false }
      let pipeline = String(
        PathName.droppingExtension(name).dropFirst("orchestrate-".count))
      guard pipelines.map({ $0.contains(pipeline) }) ?? true,
        let text = try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
      else { return false }
      return text.hasPrefix(header)
    }
  }

  /// Removes unit files and the links `systemctl enable` made for them in
  /// this directory; returns the command that stops what is still loaded.
  public func remove(_ names: [String]) throws -> String {
    for name in names {
      try FileManager.default.removeItem(atPath: "\(directory)/\(name)")
      let link = "\(directory)/timers.target.wants/\(name)"
      if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != nil {
        try FileManager.default.removeItem(atPath: link)
      }
    }
    let timers = names.filter { $0.hasSuffix(".timer") }
    return (timers.isEmpty ? "" : "\(systemctl) stop \(timers.joined(separator: " ")); ")
      + "\(systemctl) daemon-reload"
  }
}
