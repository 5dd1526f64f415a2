import FoundationEssentials

/// `orchestrate schedule` without an action: per pipeline, its next due
/// times and the crontab line and systemd calendar that would run it.
public enum ScheduleListing {
  public static let dueTimes = 5

  public static func render(_ pipeline: ScheduledPipeline, now: Date) -> String {
    var lines = [
      "\(pipeline.name)  \(pipeline.cron.text)  \(pipeline.timeZoneName ?? "local time")"
    ]
    func row(_ label: String, _ text: String) {
      lines.append("  " + label.padded(to: 11) + text)
    }
    let due = pipeline.schedule.next(dueTimes, after: now)
    for (index, time) in due.enumerated() {
      row(index == 0 ? "next due" : "", DueTime.format(time, in: pipeline.timeZone))
    }
    if due.isEmpty { row("next due", "never") }
    row("crontab", pipeline.crontabLine)
    if !pipeline.cronAgrees() {
      row(
        "",
        "(cron reads this in the machine's zone, \(ZoneInfo.local.identifier): "
          + "use --install systemd)")
    }
    for calendar in SystemdCalendar.onCalendar(pipeline.cron, zone: pipeline.timeZoneName) {
      row("systemd", "OnCalendar=\(calendar)")
    }
    return lines.joined(separator: "\n")
  }
}
