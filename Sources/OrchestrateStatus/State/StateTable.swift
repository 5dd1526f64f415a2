import FoundationEssentials

/// The state listing and a version's files as a person reads them; every
/// name from the file system escaped before it reaches the terminal.
public enum StateTable {
  public static func render(_ listing: StateListing) -> String {
    guard !listing.states.isEmpty else {
      return "no kept state for \(TerminalText.escaped(listing.pipeline))"
    }
    var lines: [String] = []
    for state in listing.states {
      if !lines.isEmpty { lines.append("") }
      let name = state.source.map { "\(state.task)[\($0)]" } ?? state.task
      lines.append(
        "\(TerminalText.escaped(name))  \(TerminalText.escaped(state.directory))  current: "
          + (state.current ?? "none"))
      if let problem = state.problem { lines.append("  problem: \(TerminalText.escaped(problem))") }
      if state.versions.isEmpty { lines.append("  no version committed yet") }
      for version in state.versions.reversed() {
        let when = (version.committedAt ?? version.runStartedAt).map(Timestamp.format) ?? "-"
        let size = ByteCount.format(version.sizeBytes)
        lines.append(
          "  \(version.current ? "*" : " ") \(version.version)  \(when)  "
            + "\(version.files) file(s), \(size)")
      }
      if let last = state.changes.last(where: { $0.action == .rollback }) {
        lines.append(
          "  last rollback: \(Timestamp.format(last.time)) by \(TerminalText.escaped(last.user)), "
            + "\(last.from ?? "none") -> \(last.to)"
            + (last.why.map { ": \(TerminalText.escaped($0))" } ?? ""))
      }
    }
    return lines.joined(separator: "\n")
  }

  /// One version's files and directories, with sizes.
  public static func renderFiles(of store: StateStore, version: String) -> String {
    let files = StateTree.files(in: store.versionDirectory(version))
    guard !files.isEmpty else { return "version \(version) holds no file" }
    let width = files.map { ByteCount.format($0.sizeBytes).count }.max() ?? 0
    return files.map { file in
      let size = file.kind == "file" ? ByteCount.format(file.sizeBytes) : file.kind
      return String(repeating: " ", count: max(0, width - size.count)) + size + "  "
        + TerminalText.escaped(file.path) + (file.kind == "directory" ? "/" : "")
    }.joined(separator: "\n")
  }
}
