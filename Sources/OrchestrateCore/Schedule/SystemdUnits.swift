import FoundationEssentials

/// The `.service` and `.timer` files that run a pipeline on its schedule
/// under systemd.
public struct SystemdUnits {
  public var pipeline: ScheduledPipeline
  /// `RandomizedDelaySec=`: spreads the start of many timers; nil for none.
  public var randomizedDelay: Duration?
  /// `User=` of a system unit, which would otherwise run as root where the
  /// crontab line ran as its owner; nil for user units.
  public var user: String?

  /// The first line of every file written, which is how uninstalling tells
  /// ours from someone else's.
  public static let marker = "# Written by orchestrate schedule"
  /// Before the arguments the command line of `schedule --install` gave,
  /// which a later install given none keeps.
  static let givenPrefix = "# Given to orchestrate schedule: "

  public init(pipeline: ScheduledPipeline, randomizedDelay: Duration? = nil, user: String? = nil) {
    self.pipeline = pipeline
    self.randomizedDelay = randomizedDelay
    self.user = user
  }

  public var name: String { "orchestrate-\(pipeline.name)" }
  public var serviceFile: String { "\(name).service" }
  public var timerFile: String { "\(name).timer" }

  /// orchestrate bounds the run itself (`timeout`), so systemd does not;
  /// on a stop it signals only orchestrate (`KillMode=mixed`), which stops
  /// its tasks with their grace and writes the record, and is given that
  /// long before SIGKILL reaches everything.
  public var service: String {
    var lines = ["\(Self.marker) for \(pipeline.root)"]
    if !pipeline.given.isEmpty {
      lines.append(
        Self.givenPrefix + pipeline.given.words.map(ShellWords.quote).joined(separator: " "))
    }
    lines += [
      "[Unit]", "Description=orchestrate pipeline \(pipeline.name)",
      "After=network-online.target", "Wants=network-online.target", "",
      "[Service]", "Type=oneshot",
    ]
    if let user { lines.append("User=\(user)") }
    lines += [
      "ExecStart=\(pipeline.command.map(Self.execWord).joined(separator: " "))",
      "KillMode=mixed", "TimeoutStartSec=infinity",
      "TimeoutStopSec=\(Int(pipeline.stopSeconds.rounded(.up)))s", "",
    ]
    return lines.joined(separator: "\n")
  }

  /// The arguments an earlier install was given, read back from its
  /// service file; empty when it was given none.
  static func given(inService text: String) -> [String] {
    for line in text.split(separator: "\n") where line.hasPrefix(givenPrefix) {
      return ShellWords.split(line.dropFirst(givenPrefix.count)) ?? []
    }
    return []
  }

  public var timer: String {
    var lines = [
      "\(Self.marker) for \(pipeline.root)", "[Unit]",
      "Description=Schedule of orchestrate pipeline \(pipeline.name) (\(pipeline.cron.text))", "",
      "[Timer]",
    ]
    lines += SystemdCalendar.onCalendar(pipeline.cron, zone: pipeline.timeZoneName).map {
      "OnCalendar=\($0)"
    }
    lines.append("Persistent=true")
    if let randomizedDelay {
      lines.append("RandomizedDelaySec=\(Int(randomizedDelay.seconds.rounded(.up)))s")
    }
    lines += ["", "[Install]", "WantedBy=timers.target", ""]
    return lines.joined(separator: "\n")
  }

  /// A word of `ExecStart=`: quoted when needed, with systemd's `%`
  /// specifiers and `$` variables escaped.
  static func execWord(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy {
      $0.isASCII && !$0.properties.isWhitespace && !"\"'\\;".unicodeScalars.contains($0)
    }
    let quoted =
      plain && !word.isEmpty
      ? word
      : "\""
        + word.replacing("\\", with: "\\\\")
        .replacing("\"", with: "\\\"") + "\""
    return quoted.replacing("%", with: "%%").replacing("$", with: "$$")
  }
}
