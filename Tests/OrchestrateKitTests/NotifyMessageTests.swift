import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords
@testable import OrchestrateStatus

/// Change-only decisions, the content of messages and the shapes of the
/// requests, on synthetic records.
@Suite struct NotifyMessageTests {
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  func channel(_ events: Set<NotifyEvent> = NotifyChannel.defaultEvents, everyRun: Bool = false)
    -> NotifyChannel
  {
    NotifyChannel(
      kind: .slack(urlVariable: "S"), events: events, everyRun: everyRun,
      repeatAfter: .seconds(86400))
  }

  @Test func failuresAreSentOnChangeThenOncePerRepeat() {
    let policy = ChangeOnlyPolicy.self
    let first = policy.events(
      for: channel(), state: nil, primary: .failure, failingSince: "run_a", hasAnomalies: false,
      now: now)
    #expect(first == [.failure])
    let told = NotifyState.ChannelState(failingSince: "run_a", lastFailureSentAt: now)
    let again = policy.events(
      for: channel(), state: told, primary: .partial, failingSince: "run_a", hasAnomalies: false,
      now: now.addingTimeInterval(3600))
    #expect(again.isEmpty)
    let aDayLater = policy.events(
      for: channel(), state: told, primary: .failure, failingSince: "run_a", hasAnomalies: false,
      now: now.addingTimeInterval(86400))
    #expect(aDayLater == [.failure])
    let newStreak = policy.events(
      for: channel(), state: told, primary: .failure, failingSince: "run_b", hasAnomalies: false,
      now: now.addingTimeInterval(60))
    #expect(newStreak == [.failure])
    let everyRun = policy.events(
      for: channel(everyRun: true), state: told, primary: .failure, failingSince: "run_a",
      hasAnomalies: false, now: now.addingTimeInterval(60))
    #expect(everyRun == [.failure])
  }

  @Test func recoverySuccessAndAnomalies() {
    #expect(ChangeOnlyPolicy.primaryEvent(.completed, wasFailing: true) == .recovery)
    #expect(ChangeOnlyPolicy.primaryEvent(.completed, wasFailing: false) == .success)
    #expect(ChangeOnlyPolicy.primaryEvent(.cancelled, wasFailing: false) == .failure)
    #expect(ChangeOnlyPolicy.primaryEvent(.partial, wasFailing: true) == .partial)
    #expect(
      ChangeOnlyPolicy.events(
        for: channel(), state: nil, primary: .success, failingSince: nil, hasAnomalies: true,
        now: now
      ).isEmpty)
    #expect(
      ChangeOnlyPolicy.events(
        for: channel([.success, .anomaly]), state: nil, primary: .recovery, failingSince: nil,
        hasAnomalies: true, now: now) == [.success, .anomaly])
  }

  func record() -> RunRecord {
    var tasks = (1...9).map {
      TaskRecord(name: "t\($0)", task: "t\($0)", source: nil, dependsOn: [], logFile: "logs/x")
    }
    for index in tasks.indices { tasks[index].status = .completed }
    tasks[1].status = .failed
    tasks[1].exitCode = 3
    tasks[1].reason = "exit 3"
    tasks[1].error = (1...40).map { "line \($0) password=hunter22" }.joined(separator: "\n")
    tasks[4].status = .timedOut
    tasks[4].error = String(repeating: "x", count: 5000)
    tasks[0].metrics = ["documents_processed": 1500]
    return RunRecord(
      schemaVersion: 1, runId: "run_20261122_020000_4121", pipeline: "daily",
      pipelineFile: "/srv/etl/pipelines/daily.yaml", pipelineSha256: "", status: .partial,
      exitCode: 1, startedAt: now, finishedAt: now.addingTimeInterval(95), durationSeconds: 95,
      updatedAt: now, host: "etl-01", pid: 1, user: "etl", trigger: .scheduled, sourceFilter: [],
      orchestrateVersion: "0", maxParallel: 1, schedule: nil, timeoutSeconds: nil,
      stuckAfterSeconds: nil, maxAgeSeconds: nil, counts: TaskCounts(tasks), tasks: tasks)
  }

  @Test func contentFromTheFinalRecord() {
    let content = NotificationContent.run(
      record(), event: .partial,
      failingSince: .init(runId: "run_20261121_020000_1", startedAt: now, runs: 2),
      mask: SecretMask(["hunter22"]), root: "/srv/etl")
    #expect(content.title == "daily PARTIAL on etl-01: 2 of 9 tasks did not complete")
    #expect(content.failedTasks.map(\.name) == ["t2", "t5"])
    let tail = content.failedTasks[0].outputTail ?? ""
    #expect(tail.split(separator: "\n").count == 10)
    #expect(tail.hasSuffix("line 40 password=***"))
    #expect(!tail.contains("hunter22"))
    let total = content.failedTasks.compactMap(\.outputTail).map(\.utf8.count).reduce(0, +)
    #expect(total <= NotificationContent.tailBytes)
    #expect(content.counters["t1"]?["documents_processed"] == 1500)
    #expect(content.logsCommand == "orchestrate logs run_20261122_020000_4121 --root /srv/etl")

    let mail = EmailMessage.render(content, to: ["a@x.org"], from: nil, date: now)
    #expect(
      mail.hasPrefix(
        "To: a@x.org\nSubject: [orchestrate] daily PARTIAL on etl-01: 2 of 9 tasks did not complete\n"
      )
    )
    #expect(
      mail.contains("Failing since 2027-01-15T08:00:00.000Z (2 runs, first run_20261121_020000_1)"))
    #expect(mail.contains("Statistics:\n  t1: documents_processed 1,500\n"))

    let slack =
      try? JSONSerialization.jsonObject(with: SlackMessage.payload(content)) as? [String: Any]
    #expect((slack?["text"] as? String)?.hasPrefix("daily PARTIAL on etl-01") == true)
    #expect((slack?["blocks"] as? [[String: Any]])?.first?["type"] as? String == "header")
  }

  /// A per-source task's counter is one line: its total, then each source's share.
  @Test func messagesShowTotalsWithEachSourcesShare() throws {
    var base = record()
    base.tasks = [("sra", 1360.0), ("geo", 1360), ("biosample", 2080)].map { source, records in
      var task = TaskRecord(
        name: "extract[\(source)]", task: "extract", source: source, dependsOn: [],
        logFile: "logs/x")
      task.status = .completed
      task.metrics = ["records": records]
      return task
    }
    let content = NotificationContent.run(
      base, event: .success, failingSince: nil, mask: SecretMask([]), root: "/srv/etl")
    #expect(content.totals["extract"]?["records"]?.total == 4800)
    #expect(content.counters["extract[geo]"]?["records"] == 1360)
    let line = "extract: records 4,800 (biosample 2,080, geo 1,360, sra 1,360)"
    let mail = EmailMessage.body(content)
    #expect(mail.contains("Statistics:\n  \(line)\n\n"))
    #expect(!mail.contains("extract[geo]"))
    let slack = String(decoding: SlackMessage.payload(content), as: UTF8.self)
    #expect(slack.contains("*Statistics*\\n  \(line)\""))
    let webhook =
      try JSONSerialization.jsonObject(with: RecordCoding.encoder().encode(content))
      as? [String: Any]
    let totals = webhook?["totals"] as? [String: [String: [String: Any]]]
    #expect(
      totals?["extract"]?["records"]?["by_source"] as? [String: Double] == [
        "sra": 1360, "geo": 1360, "biosample": 2080,
      ])
  }

  @Test func pingURLs() {
    let base = URL(string: "https://hc-ping.example.org/abc/")!
    let run = UUID(uuidString: "5A4B7C1E-2F3D-4E5F-8A9B-0C1D2E3F4A5B")!
    let rid = "rid=5a4b7c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b"
    #expect(
      PingChannel.url(base, event: .start, exitCode: nil, run: run).absoluteString
        == "https://hc-ping.example.org/abc/start?\(rid)")
    #expect(
      PingChannel.url(base, event: .success, exitCode: 0, run: run).absoluteString
        == "https://hc-ping.example.org/abc/?\(rid)")
    #expect(
      PingChannel.url(base, event: .failure, exitCode: 143, run: run).absoluteString
        == "https://hc-ping.example.org/abc/143?\(rid)")
    #expect(
      PingChannel.url(base, event: .partial, exitCode: nil, run: run).absoluteString
        == "https://hc-ping.example.org/abc/fail?\(rid)")
  }

  @Test func retryAfterInSecondsOrADate() {
    #expect(HTTPDelivery.retryAfter("3") == 3)
    #expect(HTTPDelivery.retryAfter(nil) == nil)
    #expect(HTTPDelivery.retryAfter("soon") == nil)
    #expect(HTTPDelivery.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
  }

}
