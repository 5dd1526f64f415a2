import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// The third executor's skeleton, under the real scheduler: a "queue" of
/// three shell scripts (submit starts the job script in a session of its
/// own, status asks whether it still runs, cancel stops its group) runs a
/// pipeline's tasks, and the scheduler, journal and record needed no change
/// to drive it.
@Suite final class CommandExecutorTests {
  let directory = NSTemporaryDirectory() + "orchestrate-queue-\(UUID().uuidString)"

  deinit {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// The queue's three scripts, in a directory of the test's own.
  func queue() throws -> CommandExecutor.Commands {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let scripts = [
      "submit": "setsid sh \"$1\" </dev/null >/dev/null 2>&1 &\necho \"$!\"\n",
      "status": "if kill -0 \"$1\" 2>/dev/null; then echo RUNNING node-7; else echo GONE; fi\n",
      // procps kill: that of dash takes no process group.
      "cancel": "/bin/kill -TERM -- \"-$1\"\n",
    ]
    for (name, body) in scripts {
      let path = "\(directory)/\(name).sh"
      try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
      chmod(path, 0o755)
    }
    return .init(
      submit: ["\(directory)/submit.sh"], status: ["\(directory)/status.sh"],
      cancel: ["\(directory)/cancel.sh"])
  }

  @Test func runsTasksThroughTheQueuesCommands() throws {
    let commands = try queue()
    let run = try ScheduledRun(
      """
      max_parallel: 2
      tasks:
        - {name: hello, run: "sleep 0.3; echo hello from the queue"}
        - {name: broken, run: "exit 3"}
        - {name: after, run: "echo done", depends_on: [hello]}
      """,
      executor: { launcher, pipeline in
        CommandExecutor(
          commands: commands, launcher: launcher, capacity: pipeline.maxParallel, interval: 0.05)
      })
    run.start()
    let record = try run.finalRecord()
    #expect(record.tasks.map(\.status) == [.completed, .failed, .completed])
    #expect(record.tasks.map(\.exitCode) == [0, 3, 0])
    #expect(record.tasks[0].attempts[0].node == "node-7")
    #expect(record.tasks.map { $0.attempts[0].executor } == ["command", "command", "command"])
    #expect(record.tasks.allSatisfy { $0.attempts[0].jobId != nil && $0.attempts[0].pid == nil })
    let log = try String(
      contentsOfFile: "\(run.directory)/\(record.tasks[0].logFile)", encoding: .utf8)
    #expect(log.contains("hello from the queue"))
  }

  @Test func aTimeoutCancelsTheJobThroughTheQueue() throws {
    let commands = try queue()
    let run = try ScheduledRun(
      """
      tasks:
        - {name: stuck, run: "sleep 30", timeout: 1s, kill_grace: 1s}
      """,
      executor: { launcher, pipeline in
        CommandExecutor(commands: commands, launcher: launcher, capacity: 1, interval: 0.05)
      })
    run.start()
    let record = try run.finalRecord()
    #expect(record.tasks[0].status == .timedOut)
    #expect(record.tasks[0].attempts[0].error?.contains("left the queue (GONE)") == true)
  }
}
