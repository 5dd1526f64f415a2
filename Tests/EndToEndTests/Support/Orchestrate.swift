import Foundation
import OrchestrateKit
import Testing

/// The built `orchestrate` binary, run the way cron or a person runs it.
enum Orchestrate {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
  static let binary = packageRoot + "/.build/debug/orchestrate"
  /// The binary's path with symlinks resolved, as it names itself in the lines it writes.
  static let resolvedBinary = URL(fileURLWithPath: binary).resolvingSymlinksInPath().path
  /// Pipelines shaped like the users' own, kept in the repository as they were shared.
  static let sharedExamples = packageRoot + "/examples"

  /// The environment cron gives a job, plus what the test asks for.
  static func cronEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    ["PATH": "/usr/bin:/bin", "HOME": "/tmp"].merging(extra) { $1 }
  }

  /// Runs to the end (killed after `timeout` seconds, which fails the test).
  @discardableResult
  static func run(
    _ arguments: [String], environment: [String: String] = cronEnvironment(),
    directory: String = "/", timeout: Double = 120, binary: String = binary
  ) throws -> Invocation {
    let process = try start(
      arguments, environment: environment, directory: directory, binary: binary)
    return process.wait(timeout: timeout)
  }

  static func start(
    _ arguments: [String], environment: [String: String] = cronEnvironment(),
    directory: String = "/", binary: String = binary
  ) throws -> RunningOrchestrate {
    try RunningOrchestrate(
      arguments, environment: environment, directory: directory, binary: binary)
  }
}

struct Invocation {
  var exitCode: Int32?
  var signal: Int32?
  var stdout: String
  var stderr: String
}

/// A started orchestrator; output goes to files, so nothing blocks on a pipe.
final class RunningOrchestrate {
  let process = Process()
  private let output: URL
  private let errors: URL

  init(_ arguments: [String], environment: [String: String], directory: String, binary: String)
    throws
  {
    let scratch = FileManager.default.temporaryDirectory
    output = scratch.appendingPathComponent("orchestrate-out-\(UUID().uuidString)")
    errors = scratch.appendingPathComponent("orchestrate-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = try FileHandle(forWritingTo: errors)
    try process.run()
  }

  var pid: pid_t { process.processIdentifier }

  /// What it has written to standard output so far.
  var outputSoFar: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

  func signal(_ number: Int32) { kill(pid, number) }

  func wait(timeout: Double = 120) -> Invocation {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      Issue.record("orchestrate did not finish within \(timeout)s; killed")
      kill(pid, SIGKILL)
    }
    process.waitUntilExit()
    defer {
      try? FileManager.default.removeItem(at: output)
      try? FileManager.default.removeItem(at: errors)
    }
    let signaled = process.terminationReason == .uncaughtSignal
    return Invocation(
      exitCode: signaled ? nil : process.terminationStatus,
      signal: signaled ? process.terminationStatus : nil,
      stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
  }
}
