import FoundationEssentials
import Glibc

/// The paths that tasks running before a task name: the heuristic behind
/// "an earlier task creates it". A task runs before another when the other
/// depends on it, directly or through others. Its `run:` text (or its
/// `argv`) is split into words at blanks, quotes and shell punctuation;
/// every word is taken as a path, relative ones against that task's own
/// working directory. A missing path counts as created by an earlier task
/// when such a word is the path itself, or a directory above it that does
/// not exist either (`mkdir -p out/2026`, `python3 -m venv venv`, `make
/// bin/tool`). It reads words, not shell: a task that names a path only to
/// delete it counts as well, and a path built from variables does not.
struct EarlierTaskMentions {
  struct Mention: Equatable {
    var path: String
    var task: String
  }

  /// Per step: the paths it names.
  private var named: [[Mention]]
  private var dependencies: [[Int]]

  init(plan: Plan, views: [TaskView]) {
    dependencies = plan.steps.map(\.dependencies)
    named = zip(plan.steps, views).map { step, view in
      let text: String
      switch step.task.command {
      case .shell(let script, _): text = script
      case .argv(let argv): text = argv.joined(separator: " ")
      }
      return Self.words(in: text).map {
        Mention(
          path: Self.normalized(TaskView.absolute($0, against: view.directory)), task: view.taskName
        )
      }
    }
  }

  /// What the steps that run before step `index` name.
  func mentions(before index: Int) -> [Mention] {
    var reached = Set<Int>()
    var queue = dependencies[index]
    while let next = queue.popLast() {
      if reached.insert(next).inserted { queue += dependencies[next] }
    }
    return reached.sorted().flatMap { named[$0] }
  }

  /// The task among `mentions` that names `path`, or (unless `exactly`) a
  /// missing directory above it.
  static func naming(_ path: String, in mentions: [Mention], exactly: Bool = false) -> String? {
    let path = normalized(path)
    if let mention = mentions.first(where: { $0.path == path }) { return mention.task }
    if exactly { return nil }
    return mentions.first {
      $0.path != "/" && path.hasPrefix($0.path + "/") && access($0.path, F_OK) != 0
    }?.task
  }

  static func words(in text: String) -> [String] {
    let separators = Set(" \t\n;&|()<>'\"`=,")
    return text.split(whereSeparator: { separators.contains($0) }).map(String.init)
      .filter { !$0.contains("$") && !$0.contains("*") && !$0.hasPrefix("-") }
  }

  /// `a/./b/../c/` → `a/c`, without touching the file system.
  static func normalized(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
      switch part {
      case ".": continue
      case "..": _ = parts.popLast()
      default: parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }
}
