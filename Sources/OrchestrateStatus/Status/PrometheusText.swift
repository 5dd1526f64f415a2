import FoundationEssentials

/// The report in the Prometheus text exposition format, for node_exporter's
/// textfile collector (the usual way cron jobs are watched).
public enum PrometheusText {
  /// `pipeline`, and `environment` for a pipeline run in environments.
  static func labels(_ pipeline: PipelineStatus, _ more: [String: String] = [:]) -> [String: String]
  {
    var labels = more
    labels["pipeline"] = pipeline.name
    if let environment = pipeline.environment { labels["environment"] = environment }
    return labels
  }

  public static func render(_ report: StatusReport) -> String {
    var output = Exposition(pipelines: report.pipelines)
    output.gauge("health", "Health level: 0 ok, 1 warning, 2 critical, 3 unknown.") {
      Double($0.health.level.exitCode)
    }
    output.family("last_run_status", "1 for the status of the newest finished run, else 0.")
    for pipeline in report.pipelines {
      guard let last = pipeline.lastRun else { continue }
      for status in RunStatus.allCases where status != .running {
        output.sample(
          Self.labels(pipeline, ["status": status.rawValue]), last.status == status ? 1 : 0)
      }
    }
    output.gauge("last_run_timestamp_seconds", "Start of the newest finished run (Unix time).") {
      $0.lastRun?.startedAt.timeIntervalSince1970
    }
    output.gauge("last_run_duration_seconds", "Duration of the newest finished run.") {
      $0.lastRun?.durationSeconds
    }
    output.gauge("last_success_timestamp_seconds", "Start of the newest completed run.") {
      $0.lastSuccess?.startedAt.timeIntervalSince1970
    }
    output.gauge("runs", "Runs started in the status window.") { Double($0.window.runs) }
    output.gauge("run_success_ratio", "Completed over finished runs in the status window.") {
      $0.window.successRate
    }
    output.gauge("running_runs", "Runs in progress.") { Double($0.running.count) }
    output.gauge("stuck_runs", "Runs in progress for longer than stuck_after.") {
      Double($0.running.filter(\.stuck).count)
    }
    output.gauge("abandoned_runs", "Runs whose orchestrator died unfinished.") {
      Double($0.abandoned.count)
    }
    output.gauge("missed_run", "1 when a due run did not start within its grace, else 0.") {
      $0.schedule == nil ? nil : ($0.missed == nil ? 0 : 1)
    }
    output.gauge("missed_run_due_timestamp_seconds", "Due time of the missed run (Unix time).") {
      $0.missed?.dueAt.timeIntervalSince1970
    }
    output.gauge("next_due_timestamp_seconds", "Next due time of the schedule (Unix time).") {
      $0.nextDue?.timeIntervalSince1970
    }
    output.gauge("last_run_anomalies", "Anomalies flagged in the newest finished run.") {
      Double($0.lastRun?.anomalies.count ?? 0)
    }
    output.taskGauge("task_last_duration_seconds", "The task's duration in the newest run.") {
      $0.lastSeconds
    }
    output.taskGauge("task_duration_p50_seconds", "The task's median duration in the window.") {
      $0.p50Seconds
    }
    output.taskGauge("task_failures", "Failed or timed-out runs of the task in the window.") {
      Double($0.failures)
    }
    output.family("items", "Items whose latest word in the stage is the status (item ledger).")
    for pipeline in report.pipelines {
      for stage in pipeline.items?.stages ?? [] {
        let counts: [(ItemStatus, Int)] = [
          (.started, stage.started), (.done, stage.done), (.failed, stage.failed),
          (.skipped, stage.skipped),
        ]
        for (status, count) in counts {
          output.sample(
            Self.labels(pipeline, ["stage": stage.stage, "status": status.rawValue]),
            Double(count))
        }
      }
    }
    output.family(
      "items_backlog", "Items whose latest completed stage is the one before the stage.")
    for pipeline in report.pipelines {
      for stage in pipeline.items?.stages ?? [] {
        if let backlog = stage.backlog {
          output.sample(Self.labels(pipeline, ["stage": stage.stage]), Double(backlog))
        }
      }
    }
    output.gauge("items_stuck", "Items started in a stage longer than items.stuck_after ago.") {
      $0.items.map { Double($0.stuck) }
    }
    output.family("unreadable_metrics_files", "Files in metrics/ that are not run records.")
    output.sample([:], Double(report.unreadableFiles.count))
    return output.text
  }

  private struct Exposition {
    let pipelines: [PipelineStatus]
    var text = ""
    var name = ""

    init(pipelines: [PipelineStatus]) {
      self.pipelines = pipelines
    }

    mutating func gauge(_ name: String, _ help: String, _ value: (PipelineStatus) -> Double?) {
      family(name, help)
      for pipeline in pipelines {
        if let value = value(pipeline) { sample(PrometheusText.labels(pipeline), value) }
      }
    }

    mutating func taskGauge(
      _ name: String, _ help: String, _ value: (PipelineStatus.TaskStatistics) -> Double?
    ) {
      family(name, help)
      for pipeline in pipelines {
        for task in pipeline.tasks {
          if let value = value(task) {
            sample(PrometheusText.labels(pipeline, ["task": task.name]), value)
          }
        }
      }
    }

    mutating func family(_ name: String, _ help: String) {
      self.name = "orchestrate_" + name
      text += "# HELP \(self.name) \(help)\n# TYPE \(self.name) gauge\n"
    }

    mutating func sample(_ labels: [String: String], _ value: Double) {
      let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }
      let labelText = pairs.isEmpty ? "" : "{\(pairs.joined(separator: ","))}"
      text += "\(name)\(labelText) \(format(value))\n"
    }

    private func escape(_ value: String) -> String {
      value.replacing("\\", with: "\\\\")
        .replacing("\"", with: "\\\"")
        .replacing("\n", with: "\\n")
    }

    private func format(_ value: Double) -> String {
      value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
  }
}
