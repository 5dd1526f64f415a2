import FoundationEssentials
import Glibc

/// A task as it will find the machine when it starts: its working
/// directory and the PATH its program is looked up in, both worked out the
/// way `TaskLauncher` does (inherited environment, the pipeline's `env`, the
/// run's environment and parameters, then the task's own `env`).
struct TaskView {
  var taskName: String
  /// `tasks[3]`: where the task is in the file.
  var field: String
  var directory: String
  /// The directory as written, and the field that set it; nil: the root,
  /// which every run creates.
  var writtenDirectory: (text: String, field: String)?
  var searchPath: String
  /// `argv[0]` with `${NAME}` expanded, or the shell of a `run:` task.
  var program: (name: String, field: String, kind: String)?
  /// The programs a `run:` text starts, as far as the text tells.
  var runCommands: [ShellCommandWords.Word] = []

  /// `index`: the task's place in the file.
  /// `shared`: what every task inherits (`Plan.sharedEnvironment`).
  init(step: Plan.Step, index: Int, plan: Plan, root: String, shared: [String: String]) {
    let pipeline = plan.pipeline
    let task = step.task
    taskName = task.name
    field = "tasks[\(index)]"

    // Looked up, not copied: a copy of the environment per step cost more
    // than the rest of the checks on a large pipeline.
    let lookup = { (name: String) in plan.variable(name, of: step, shared: shared) }
    searchPath = lookup("PATH") ?? "/usr/bin:/bin"

    let base = pipeline.workingDirectory.map { Self.absolute($0, against: root) } ?? root
    directory = task.workingDirectory.map { Self.absolute($0, against: base) } ?? base
    if let written = task.workingDirectory, !written.isEmpty {
      writtenDirectory = (written, "\(field).working_directory")
    } else if let written = pipeline.workingDirectory, !written.isEmpty {
      writtenDirectory = (written, "working_directory")
    }

    switch task.command {
    case .shell(let text, let shell):
      program = (shell, "\(field).shell", "shell")
      runCommands = ShellCommandWords.commands(in: text)
    case .argv(let argv):
      let expanded = try? ArgvExpansion.expand([argv[0]], lookup: lookup)
      program = expanded.map { ($0[0], "\(field).argv[0]", "program") }
    }
  }

  /// What stops this task from starting, given the paths that tasks
  /// running before it name (worked out only when something is missing).
  /// `programs`: lookups shared by every task of the check, as a run shares them.
  func problems(programs: ProgramCache, earlier mentions: () -> [EarlierTaskMentions.Mention])
    -> [PreflightFinding]
  {
    var known: [EarlierTaskMentions.Mention]?
    func earlier() -> [EarlierTaskMentions.Mention] {
      if known == nil { known = mentions() }
      return known!
    }
    var findings: [PreflightFinding] = []
    var directoryMissing = false
    if let (written, directoryField) = writtenDirectory {
      var info = stat()
      if stat(directory, &info) != 0 {
        directoryMissing = true
        if let creator = EarlierTaskMentions.naming(directory, in: earlier()) {
          findings.append(
            PreflightFinding(
              field: directoryField,
              message: "working directory \(written) does not exist yet (\(directory)); "
                + "task '\(creator)', which runs before it, names it",
              isWarning: true))
        } else {
          findings.append(
            PreflightFinding(
              field: directoryField,
              message: "working directory \(written) does not exist (\(directory))"))
        }
      } else if info.st_mode & S_IFMT != S_IFDIR {
        findings.append(
          PreflightFinding(
            field: directoryField,
            message: "working directory \(written) is not a directory (\(directory))"))
      }
    }
    if let program, !(directoryMissing && program.name.contains("/")) {
      findings += programProblems(program, programs: programs, earlier: earlier)
    }
    findings += runTextProblems(programs: programs, earlier: earlier)
    return findings
  }

  private func programProblems(
    _ program: (name: String, field: String, kind: String), programs: ProgramCache,
    earlier: () -> [EarlierTaskMentions.Mention]
  ) -> [PreflightFinding] {
    let (name, field, kind) = program
    if name.contains("/") {
      let path = Self.absolute(name, against: directory)
      if Self.isExecutableFile(path) { return [] }
      let exists = access(path, F_OK) == 0
      let problem = exists ? "is not an executable file" : "does not exist"
      if let creator = EarlierTaskMentions.naming(path, in: earlier(), exactly: exists) {
        return [
          PreflightFinding(
            field: field,
            message: "\(kind) \(name) \(problem) yet (\(path)); "
              + "task '\(creator)', which runs before it, names it",
            isWarning: true)
        ]
      }
      return [PreflightFinding(field: field, message: "\(kind) \(name) \(problem) (\(path))")]
    }
    do {
      _ = try programs.resolve(name, searchPath: searchPath, directory: directory)
      return []
    } catch {}
    // A PATH directory that an earlier task makes (a virtualenv's bin/, say).
    for entry in searchPath.split(separator: ":") {
      let entryPath = Self.absolute(String(entry), against: directory)
      if access(entryPath, F_OK) != 0,
        let creator = EarlierTaskMentions.naming(entryPath, in: earlier())
      {
        return [
          PreflightFinding(
            field: field,
            message: "\(kind) '\(name)' is not on the task's PATH yet (PATH=\(searchPath)); "
              + "\(entry) does not exist and task '\(creator)', which runs before it, names it",
            isWarning: true)
        ]
      }
    }
    return [
      PreflightFinding(
        field: field, message: "\(kind) '\(name)' is not on the task's PATH (PATH=\(searchPath))")
    ]
  }

  /// Each program the `run:` text starts must be on the task's PATH, as an
  /// argv[0] must (`run: psqlx -c …` would exit 127 at night). Paths are left
  /// to the run (an earlier line may create them); words only the run can
  /// expand are named in one warning.
  private func runTextProblems(
    programs: ProgramCache, earlier: () -> [EarlierTaskMentions.Mention]
  ) -> [PreflightFinding] {
    var findings: [PreflightFinding] = []
    var seen = Set<String>()
    var dynamic: [String] = []
    for word in runCommands where seen.insert(word.text).inserted {
      if word.isDynamic {
        dynamic.append(word.text)
      } else if !word.text.contains("/") {
        findings += programProblems(
          (word.text, "\(field).run", "program"), programs: programs, earlier: earlier)
      }
    }
    if !dynamic.isEmpty {
      findings.append(
        PreflightFinding(
          field: "\(field).run",
          message: "cannot tell before the run which program "
            + dynamic.map { "'\($0)'" }.joined(separator: ", ") + " in run: starts",
          isWarning: true))
    }
    return findings
  }

  static func absolute(_ path: String, against base: String) -> String {
    path.hasPrefix("/") ? path : path.isEmpty ? base : "\(base)/\(path)"
  }

  private static func isExecutableFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
  }
}
