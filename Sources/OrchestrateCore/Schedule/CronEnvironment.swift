import FoundationEssentials
import Glibc

/// The environment Debian's cron gives a job: what a crontab line runs
/// with, whatever the shell that installed it had. `validate --as-cron`
/// checks a pipeline against exactly this.
public enum CronEnvironment {
  /// cron's own PATH for jobs (cron(8), Debian: `/usr/bin:/bin`).
  public static let path = "/usr/bin:/bin"

  /// PATH, SHELL, HOME, LOGNAME and USER, as cron sets them for the user
  /// running orchestrate; nothing else.
  public static func forCurrentUser() -> [String: String] {
    var environment = ["PATH": path, "SHELL": "/bin/sh"]
    if let entry = getpwuid(geteuid()) {
      let user = String(cString: entry.pointee.pw_name)
      environment["HOME"] = String(cString: entry.pointee.pw_dir)
      environment["LOGNAME"] = user
      environment["USER"] = user
    }
    return environment
  }

  /// One line for `validate --as-cron` to say what it assumed.
  public static func describe(_ environment: [String: String]) -> String {
    environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }.joined(separator: " ")
  }
}
