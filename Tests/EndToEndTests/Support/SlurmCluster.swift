import Foundation
import TestSupport
import Testing

/// The real one-node Slurm cluster of `scripts/slurm-local.sh` on
/// 127.0.0.1, started (and its packages installed) once per test process.
/// `scripts/test.sh` starts it before the suite and stops it after.
enum SlurmCluster {
  /// The configuration's path, or why the cluster could not start.
  static let configuration: Result<String, Failure> = {
    let script = Orchestrate.packageRoot + "/scripts/slurm-local.sh"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: script)
    process.arguments = ["start"]
    let output = Pipe()
    process.standardOutput = output
    let errors = Pipe()
    process.standardError = errors
    do { try process.run() } catch { return .failure(Failure(description: "\(error)")) }
    let path = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      return .failure(Failure(description: String(decoding: message, as: UTF8.self)))
    }
    return .success(
      String(decoding: path, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }()

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static var isAvailable: Bool {
    if case .success = configuration { return true }
    return false
  }

  /// Cron's environment with SLURM_CONF, as a submit host has it.
  static func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = Orchestrate.cronEnvironment(extra)
    if case .success(let path) = configuration { environment["SLURM_CONF"] = path }
    return environment
  }

  /// Jobs Slurm lists as queued or running whose name holds `text`.
  static func activeJobs(named text: String) throws -> [String] {
    let output = try run(["squeue", "--noheader", "-o", "%i %j"])
    return output.split(separator: "\n").filter { $0.contains(text) }.map {
      String($0.split(separator: " ")[0])
    }
  }

  /// Runs a Slurm client program against the cluster; its standard output.
  static func run(_ arguments: [String]) throws -> String {
    try system(arguments, environment: environment()).output
  }

  /// Runs scripts/slurm-local.sh with `command`; its exit status.
  @discardableResult
  static func script(_ command: String) -> Int32 {
    (try? system([Orchestrate.packageRoot + "/scripts/slurm-local.sh", command]))?.status ?? -1
  }

  /// Waits until none of the run's jobs is queued or running.
  static func waitUntilNoJobs(named text: String, timeout: Double = 60) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !activeJobs(named: text).isEmpty {
      try #require(Date() < deadline, "jobs named \(text) still in the queue after \(timeout)s")
      usleep(100_000)
    }
  }

  /// Shown when the Slurm tests are skipped.
  static var skipReason: Comment {
    if case .failure(let failure) = configuration {
      return
        "Slurm could not start here (\(failure.description.trimmingCharacters(in: .whitespacesAndNewlines))); the Slurm tests need root to install and start it"
    }
    return ""
  }
}
