import FoundationEssentials

/// Candidates read from a pipeline file or a run, not only from names:
/// environments after `-e`, the flags of bool parameters, a run's tasks for
/// `logs`. The pipeline is loaded as a run would load it, and one that does
/// not load offers nothing.
extension CompletionCandidates {
  /// The pipeline the words name: the first that is a pipeline file or
  /// name, or a run id whose record names its file (`rerun RUN -e …`).
  public func pipeline(in words: CompletionWords) -> Pipeline? {
    for word in words.arguments {
      if RunID(word) != nil {
        guard let record = record(of: word) else { continue }
        if let pipeline = try? PipelineLoader.load(file: record.pipelineFile) { return pipeline }
        continue
      }
      guard
        let location = try? PipelineLocator.locate(
          word, rootOption: layout.root, environment: [:])
      else { continue }
      if let pipeline = try? PipelineLoader.load(file: location.file) { return pipeline }
    }
    return nil
  }

  /// The environments of the pipeline the words name.
  public func environments(in words: CompletionWords, matching prefix: String) -> [String] {
    (pipeline(in: words)?.environments.keys.sorted() ?? []).filter { $0.hasPrefix(prefix) }
  }

  /// `--full-refresh`, `--no-full-refresh`: flags only the pipeline file
  /// declares, so the shell scripts cannot list them.
  public func parameterFlags(in words: CompletionWords, matching prefix: String) -> [String] {
    guard prefix.hasPrefix("-") else { return [] }
    return (pipeline(in: words)?.parameters.flatMap(\.flags) ?? []).filter { $0.hasPrefix(prefix) }
  }

  /// What `logs RUN TASK` takes for TASK: the run's tasks and instances,
  /// and the name of each per-source task (all its instances). The run is
  /// the run id among the words, or with `--last` the newest run (of the
  /// pipeline named).
  public func tasks(in words: CompletionWords, matching prefix: String) -> [String] {
    let logs = RunLogs(layout: layout)
    let named = words.arguments.first
    let stored: StoredRunLogs? =
      words.contains("--last")
      ? try? logs.newest(pipeline: named) : named.flatMap { try? logs.find(run: $0) }
    guard let stored else { return [] }
    let names =
      logs.record(of: stored)?.tasks.map(\.name)
      ?? RunLogs.names((try? logs.files(of: stored)) ?? []).filter { $0 != "orchestrate" }
    var offered: [String] = []
    for name in names {
      // `download` for `download[geo]`: every instance at once.
      if let bracket = name.firstIndex(of: "["), name.hasSuffix("]") {
        let task = String(name[..<bracket])
        if !offered.contains(task) { offered.append(task) }
      }
      if !offered.contains(name) { offered.append(name) }
    }
    return offered.filter { $0.hasPrefix(prefix) }
  }

  /// A record under `metrics/`, found by run id in every pipeline's folder.
  private func record(of run: String) -> RunRecord? {
    guard let id = RunID(run) else { return nil }
    for pipeline in Self.entries(of: layout.metricsDirectory) where !pipeline.hasPrefix(".") {
      if let record = RecordCoding.readRecord(at: layout.metricsFile(pipeline: pipeline, run: id)) {
        return record
      }
    }
    return nil
  }
}
