import FoundationEssentials
import Glibc

/// The Slurm jobs a dead run left queued or running, and cancelling them.
/// A job is the run's only when Slurm still knows it by the id and the name
/// the journal recorded (the name holds the run id): ids are reused.
struct DeadRunJobs {
  /// Job id to job name, from the journal.
  private let submitted: [String: String]
  private let client: SlurmClient

  init(journal: [JournalEntry], environment: [String: String]) {
    var submitted: [String: String] = [:]
    for case .submitted(_, _, let id, let name, _) in journal { submitted[id] = name }
    self.submitted = submitted
    client = SlurmClient(
      searchPath: environment["PATH"] ?? "/usr/bin:/bin",
      environment: SharedEnvironment(environment))
  }

  /// Cancels them all in one `scancel` and waits, within `limit`, until
  /// Slurm no longer lists them as queued or running. Returns how many
  /// there were.
  func cancel(limit: Duration = .seconds(30)) -> Int {
    guard !submitted.isEmpty else { return 0 }
    let active = client.activeJobs(submitted)
    guard !active.isEmpty else { return 0 }
    client.scancel(active, signal: nil)
    let names = submitted.filter { active.contains($0.key) }
    let deadline = ContinuousClock.now + limit
    while !client.activeJobs(names).isEmpty && ContinuousClock.now < deadline {
      usleep(100_000)
    }
    return active.count
  }
}
