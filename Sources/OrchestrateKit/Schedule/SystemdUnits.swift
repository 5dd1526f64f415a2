import FoundationEssentials

/// The `.service` and `.timer` files that run a pipeline on its schedule
/// under systemd.
public struct SystemdUnits {
  public var pipeline: ScheduledPipeline
  /// `RandomizedDelaySec=`: spreads the start of many timers; nil for none.
  public var randomizedDelay: Duration?

  /// The first line of every file written, which is how uninstalling tells
  /// ours from someone else's.
  public static let marker = "# Written by orchestrate schedule"

  public init(pipeline: ScheduledPipeline, randomizedDelay: Duration? = nil) {
    self.pipeline = pipeline
    self.randomizedDelay = randomizedDelay
  }

  public var name: String { "orchestrate-\(pipeline.name)" }
  public var serviceFile: String { "\(name).service" }
  public var timerFile: String { "\(name).timer" }

  /// orchestrate bounds the run itself (`timeout`), so systemd does not;
  /// on a stop it signals only orchestrate (`KillMode=mixed`), which stops
  /// its tasks with their grace and writes the record, and is given that
  /// long before SIGKILL reaches everything.
  public var service: String {
    """
    \(Self.marker) for \(pipeline.root)
    [Unit]
    Description=orchestrate pipeline \(pipeline.name)
    After=network-online.target
    Wants=network-online.target

    [Service]
    Type=oneshot
    ExecStart=\(pipeline.command.map(Self.execWord).joined(separator: " "))
    KillMode=mixed
    TimeoutStartSec=infinity
    TimeoutStopSec=\(Int(pipeline.stopSeconds.rounded(.up)))s

    """
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
