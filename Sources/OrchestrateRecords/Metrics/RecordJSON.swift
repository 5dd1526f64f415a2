import FoundationEssentials

/// Writes run records as JSON by hand: the same document `RecordCoding`'s
/// encoder makes (snake_case keys in sorted order, absent values left out,
/// `Timestamp` dates, two-space indentation), about thirty times faster.
/// A run rewrites its record as tasks change; with Foundation's encoder a
/// 300-task record cost more than starting its 300 tasks. Tests check that
/// both encoders produce the same document.
public enum RecordJSON {
  public static func encode(_ record: RunRecord) -> Data {
    var writer = JSONWriter()
    record.write(to: &writer)
    writer.bytes.append(UInt8(ascii: "\n"))
    return Data(writer.bytes)
  }
}

/// A value the writer can put in a document.
protocol JSONWritable {
  func write(to writer: inout JSONWriter)
}

/// Pretty-printed JSON, one member per line. Callers give object members in
/// sorted key order.
struct JSONWriter {
  var bytes: [UInt8] = []
  private var depth = 0
  private var isFirst = true

  init() {
    bytes.reserveCapacity(64 * 1024)
  }

  mutating func object(_ members: (inout JSONWriter) -> Void) {
    open(UInt8(ascii: "{"))
    members(&self)
    close(UInt8(ascii: "}"))
  }

  /// One member; nothing at all when `value` is nil.
  mutating func member<Value: JSONWritable>(_ key: StaticString, _ value: Value?) {
    guard let value else { return }
    newItem()
    // Keys are plain snake_case: nothing in them needs escaping.
    bytes.append(UInt8(ascii: "\""))
    key.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: [
      UInt8(ascii: "\""), UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " "),
    ])
    value.write(to: &self)
  }

  mutating func array<Element: JSONWritable>(_ elements: [Element]) {
    open(UInt8(ascii: "["))
    for element in elements {
      newItem()
      element.write(to: &self)
    }
    close(UInt8(ascii: "]"))
  }

  /// Keys in sorted order, as the encoder's `.sortedKeys` does.
  mutating func dictionary<Value: JSONWritable>(_ members: [String: Value]) {
    open(UInt8(ascii: "{"))
    for key in members.keys.sorted() {
      newItem()
      string(key)
      bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
      members[key]!.write(to: &self)
    }
    close(UInt8(ascii: "}"))
  }

  mutating func string(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = text
    // Most strings need no escaping: copy them whole.
    let plain = text.withUTF8 { utf8 in
      guard !utf8.contains(where: { $0 < 0x20 || $0 == 34 || $0 == 92 }) else { return false }
      bytes.append(contentsOf: utf8)
      return true
    }
    if plain {
      bytes.append(UInt8(ascii: "\""))
      return
    }
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
      case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
      case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, UInt8(ascii: "n")])
      case UInt8(ascii: "\r"): bytes.append(contentsOf: [92, UInt8(ascii: "r")])
      case UInt8(ascii: "\t"): bytes.append(contentsOf: [92, UInt8(ascii: "t")])
      case 0..<0x20:
        bytes.append(contentsOf: Array("\\u00".utf8))
        bytes.append(hexDigit(byte >> 4))
        bytes.append(hexDigit(byte & 0xF))
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func raw(_ text: String) {
    bytes.append(contentsOf: text.utf8)
  }

  private mutating func open(_ bracket: UInt8) {
    bytes.append(bracket)
    depth += 1
    isFirst = true
  }

  private mutating func close(_ bracket: UInt8) {
    depth -= 1
    if !isFirst { newline() }
    bytes.append(bracket)
    isFirst = false
  }

  private mutating func newItem() {
    if !isFirst { bytes.append(UInt8(ascii: ",")) }
    isFirst = false
    newline()
  }

  private mutating func newline() {
    bytes.append(UInt8(ascii: "\n"))
    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
  }

  private func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? 48 + value : 87 + value
  }
}

extension String: JSONWritable {
  func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension JSONWritable where Self: BinaryInteger {
  func write(to writer: inout JSONWriter) { writer.raw(String(self)) }
}

extension JSONWritable where Self: RawRepresentable, RawValue == String {
  func write(to writer: inout JSONWriter) { writer.string(rawValue) }
}

extension Int: JSONWritable {}
extension Int32: JSONWritable {}
extension UInt64: JSONWritable {}
extension RunStatus: JSONWritable {}
extension TaskStatus: JSONWritable {}
extension RunRecord.Trigger: JSONWritable {}
extension NotifyEvent: JSONWritable {}

extension Bool: JSONWritable {
  func write(to writer: inout JSONWriter) { writer.raw(self ? "true" : "false") }
}

extension Double: JSONWritable {
  /// Whole numbers without a fraction, others in Swift's shortest exact
  /// form, as Foundation's encoder writes them. JSON has no infinity: the
  /// largest finite value stands in rather than an unreadable file.
  func write(to writer: inout JSONWriter) {
    guard isFinite else {
      writer.raw(isNaN ? "0" : (self < 0 ? "-" : "") + String(Double.greatestFiniteMagnitude))
      return
    }
    if self == rounded(), abs(self) < 1e15 {
      writer.raw(String(Int64(self)))
    } else {
      writer.raw(String(self))
    }
  }
}

extension Date: JSONWritable {
  func write(to writer: inout JSONWriter) { writer.string(Timestamp.format(self)) }
}

extension Array: JSONWritable where Element: JSONWritable {
  func write(to writer: inout JSONWriter) { writer.array(self) }
}

extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
  func write(to writer: inout JSONWriter) { writer.dictionary(self) }
}

extension RunRecord: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("anomalies", anomalies)
      w.member("boot_id", bootId)
      w.member("counts", counts)
      w.member("due_at", dueAt)
      w.member("duration_seconds", durationSeconds)
      w.member("environment", environment)
      w.member("escaped_processes", escapedProcesses)
      w.member("exit_code", exitCode)
      w.member("finished_at", finishedAt)
      w.member("host", host)
      w.member("logical_date", logicalDate)
      w.member("max_age_seconds", maxAgeSeconds)
      w.member("max_parallel", maxParallel)
      w.member("min_success_rate", minSuccessRate)
      w.member("notifications", notifications)
      w.member("orchestrate_version", orchestrateVersion)
      w.member("orchestrator_cpu_seconds", orchestratorCpuSeconds)
      w.member("orchestrator_peak_rss_bytes", orchestratorPeakRssBytes)
      w.member("original_pipeline_sha256", originalPipelineSha256)
      w.member("params", params)
      w.member("pid", pid)
      w.member("pipeline", pipeline)
      w.member("pipeline_file", pipelineFile)
      w.member("pipeline_sha256", pipelineSha256)
      w.member("process_start_ticks", processStartTicks)
      w.member("reason", reason)
      w.member("rerun_of", rerunOf)
      w.member("run_id", runId)
      w.member("schedule", schedule)
      w.member("schedule_grace_seconds", scheduleGraceSeconds)
      w.member("schema_version", schemaVersion)
      w.member("secret_names", secretNames)
      w.member("source_filter", sourceFilter)
      w.member("started_at", startedAt)
      w.member("status", status)
      w.member("stuck_after_seconds", stuckAfterSeconds)
      w.member("task_filter", taskFilter)
      w.member("tasks", tasks)
      w.member("timeout_seconds", timeoutSeconds)
      w.member("timezone", timezone)
      w.member("trigger", trigger)
      w.member("updated_at", updatedAt)
      w.member("user", user)
      w.member("warnings", warnings)
    }
  }
}

extension TaskCounts: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("cancelled", cancelled)
      w.member("completed", completed)
      w.member("failed", failed)
      if notWanted > 0 { w.member("not_wanted", notWanted) }
      w.member("pending", pending)
      w.member("running", running)
      w.member("skipped", skipped)
      w.member("timed_out", timedOut)
    }
  }
}

extension TaskRecord: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("attempts", attempts)
      w.member("cpu_system_seconds", cpuSystemSeconds)
      w.member("cpu_user_seconds", cpuUserSeconds)
      w.member("depends_on", dependsOn)
      w.member("duration_seconds", durationSeconds)
      w.member("error", error)
      w.member("exit_code", exitCode)
      w.member("finished_at", finishedAt)
      w.member("leftover_processes", leftoverProcesses)
      w.member("log_file", logFile)
      w.member("malformed_report_lines", malformedReportLines)
      w.member("metrics", metrics)
      w.member("name", name)
      w.member("peak_rss_bytes", peakRssBytes)
      w.member("phases", phases)
      w.member("progress", progress)
      w.member("reason", reason)
      w.member("reused_from", reusedFrom)
      w.member("signal", signal)
      w.member("source", source)
      w.member("started_at", startedAt)
      w.member("status", status)
      w.member("task", task)
    }
  }
}

extension AttemptRecord: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("cpu_system_seconds", cpuSystemSeconds)
      w.member("cpu_user_seconds", cpuUserSeconds)
      w.member("duration_seconds", durationSeconds)
      w.member("error", error)
      w.member("exit_code", exitCode)
      w.member("finished_at", finishedAt)
      w.member("log_file", logFile)
      w.member("node", node)
      w.member("number", number)
      w.member("peak_rss_bytes", peakRssBytes)
      w.member("pid", pid)
      w.member("process_start_ticks", processStartTicks)
      w.member("queued_seconds", queuedSeconds)
      w.member("signal", signal)
      w.member("slurm_job_id", slurmJobId)
      w.member("slurm_state", slurmState)
      w.member("started_at", startedAt)
      w.member("timed_out", timedOut)
    }
  }
}

extension TaskProgress: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("done", done)
      w.member("message", message)
      w.member("percent", percent)
      w.member("phase", phase)
      w.member("total", total)
      w.member("updated_at", updatedAt)
    }
  }
}

extension PhaseRecord: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("done", done)
      w.member("finished_at", finishedAt)
      w.member("name", name)
      w.member("started_at", startedAt)
      w.member("total", total)
    }
  }
}

extension Anomaly: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("factor", factor)
      w.member("field", field)
      w.member("median", median)
      w.member("task", task)
      w.member("value", value)
    }
  }
}

extension NotificationRecord: JSONWritable {
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.member("attempts", attempts)
      w.member("channel", channel)
      w.member("delivered", delivered)
      w.member("error", error)
      w.member("event", event)
      w.member("host", host)
      w.member("http_status", httpStatus)
    }
  }
}
