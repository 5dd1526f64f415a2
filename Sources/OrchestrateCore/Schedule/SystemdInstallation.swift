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

  /// The directories systemd reads units from (the system's, or a user's).
  public var searchPath: [String]

  public init(directory: String, user: Bool, environment: [String: String] = [:]) {
    self.directory = directory
    self.user = user
    searchPath = Self.searchPath(user: user, environment: environment)
  }

  /// Where the units would be found: the first of the search path.
  var usualDirectory: String { searchPath[0] }

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

  /// The administrator's and the packages' unit directories of
  /// systemd.unit(5), without the runtime and generator ones.
  static func searchPath(user: Bool, environment: [String: String]) -> [String] {
    guard user else {
      return [
        "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system", "/lib/systemd/system",
      ]
    }
    let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    let data = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
    return [
      defaultDirectory(user: true, environment: environment),
      "\(data ?? "\(home)/.local/share")/systemd/user", "/etc/systemd/user", "/run/systemd/user",
      "/usr/local/share/systemd/user", "/usr/share/systemd/user", "/usr/local/lib/systemd/user",
      "/usr/lib/systemd/user", "/lib/systemd/user",
    ]
  }

  /// Whether systemd finds units in `directory` (symbolic links followed:
  /// /lib is /usr/lib on a merged /usr).
  public var isSearched: Bool {
    let resolved = Set(searchPath.map(Self.resolved))
    return resolved.contains(Self.resolved(directory))
  }

  private static func resolved(_ path: String) -> String {
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
  }

  var systemctl: String { user ? "systemctl --user" : "systemctl" }

  /// Whom system units run as: the user asked for, else the one who ran
  /// sudo, else the one running this, as a crontab line runs as the
  /// crontab's owner.
  public static func serviceUser(requested: String?, environment: [String: String])
    throws(Refusal) -> String
  {
    let sudoUser = environment["SUDO_USER"].flatMap { geteuid() == 0 && !$0.isEmpty ? $0 : nil }
    guard
      let name = requested ?? sudoUser
        ?? getpwuid(geteuid()).map({ String(cString: $0.pointee.pw_name) })
    else {
      throw Refusal(
        description: "the current user (uid \(geteuid())) has no name; give --run-as NAME")
    }
    guard getpwnam(name) != nil else {
      throw Refusal(
        description: requested == nil
          ? "SUDO_USER: no user '\(name)' on this machine; give --run-as NAME"
          : "--run-as: no user '\(name)' on this machine")
    }
    return name
  }

  /// The arguments an earlier install gave the pipeline's run, from its
  /// service file in this directory (written for `root`); empty when none.
  public func given(pipeline: String, root: String) -> [String] {
    let path = "\(directory)/orchestrate-\(pipeline).service"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
      text.hasPrefix("\(SystemdUnits.marker) for \(root)\n")
    else { return [] }
    return SystemdUnits.given(inService: text)
  }

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

  /// What to run to start the timers, each line as it should be printed:
  /// from a directory systemd does not read, the units are linked first.
  public func startLines(_ units: [SystemdUnits]) -> [String] {
    let enable = "\(systemctl) enable --now " + units.map(\.timerFile).joined(separator: " ")
    guard !isSearched else { return ["to start them: \(systemctl) daemon-reload && \(enable)"] }
    let files = units.flatMap {
      ["\(directory)/\($0.serviceFile)", "\(directory)/\($0.timerFile)"]
    }
    return [
      "systemd does not read units from \(directory): link them from there (the files must stay), "
        + "or copy them into \(usualDirectory) and run \(systemctl) daemon-reload && \(enable)",
      "to start them: \(systemctl) link \(files.joined(separator: " ")) && \(enable)",
    ]
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
    // Units started from another directory were linked into systemd's:
    // disable removes those links too.
    guard isSearched else {
      return
        "\(systemctl) disable --now \(names.joined(separator: " ")); \(systemctl) daemon-reload"
    }
    return (timers.isEmpty ? "" : "\(systemctl) stop \(timers.joined(separator: " ")); ")
      + "\(systemctl) daemon-reload"
  }
}
