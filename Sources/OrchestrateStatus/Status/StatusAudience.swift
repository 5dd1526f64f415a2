import FoundationEssentials

/// Who `status --notify` tells about a pipeline: the channels of its file as
/// the newest run read it (for a pipeline that never ran, its file in
/// pipelines/), in that run's environment, with the variables they read.
struct StatusAudience {
  var pipeline: Pipeline
  var environmentName: String?
  var channels: [NotifyChannel]
  var variables: [String: String]
  /// The newest run was refused and its own message reached a channel.
  var refusalTold: Bool

  /// Nil when there is no one to tell; what could not be read is a warning.
  static func read(
    _ status: PipelineStatus, layout: RootLayout, environment: [String: String],
    warnings: inout [StatusNotifier.Line]
  ) -> StatusAudience? {
    let directory = layout.metricsDirectory(pipeline: status.name)
    let newestRun = status.running.last?.runId ?? status.lastRun?.runId
    let record = newestRun.flatMap {
      RecordCoding.readRecord(at: "\(directory)/\($0).json")
    }
    guard
      let file = record?.pipelineFile
        ?? DeclaredPipelines.file(of: status.name, layout: layout)
    else { return nil }
    let pipeline: Pipeline
    do {
      pipeline = try PipelineLoader.load(file: file)
    } catch {
      warnings.append(
        .init(text: "\(status.name): cannot read its channels: \(error)", isWarning: true))
      return nil
    }
    let environmentName = record?.environment ?? pipeline.defaultEnvironment
    let channels = pipeline.notify.channels(for: environmentName, in: pipeline)
    guard !channels.isEmpty else { return nil }
    var request = RunSettings.Request(environment: environmentName)
    request.allowsMissing = true
    var variables = environment
    for (key, value) in pipeline.environment { variables[key] = value }
    do {
      let settings = try RunSettings.resolve(pipeline, request: request, root: layout.root)
      for (key, value) in settings.variables { variables[key] = value }
    } catch {
      warnings.append(.init(text: "\(status.name): \(error)", isWarning: true))
    }
    return StatusAudience(
      pipeline: pipeline, environmentName: environmentName, channels: channels,
      variables: variables,
      refusalTold: record?.status == .refused
        && (record?.notifications ?? []).contains(where: \.delivered))
  }

  /// What `.notify-state` remembers channel `index` by.
  func stateKey(_ index: Int) -> String {
    NotifySettings.stateKey(environment: environmentName, index: index, channel: channels[index])
  }
}
