import FoundationEssentials

extension RunRecord {
  /// The fields every record has, with this build's version and schema; a
  /// run or a refusal sets the optional ones by name.
  package init(
    runId: String, pipeline: String, pipelineFile: String, pipelineSha256: String,
    status: RunStatus, startedAt: Date, identity: ProcessIdentity, user: String,
    trigger: Trigger, sourceFilter: [String], maxParallel: Int, tasks: [TaskRecord]
  ) {
    self.init(
      schemaVersion: Self.currentSchemaVersion, runId: runId, pipeline: pipeline,
      pipelineFile: pipelineFile, pipelineSha256: pipelineSha256, status: status,
      startedAt: startedAt, updatedAt: startedAt, host: identity.host, pid: identity.pid,
      processStartTicks: identity.startTicks, bootId: identity.bootId, user: user,
      trigger: trigger, sourceFilter: sourceFilter,
      orchestrateVersion: OrchestrateVersion.current, maxParallel: maxParallel,
      counts: TaskCounts(tasks), tasks: tasks)
  }

  /// The pipeline's settings that status judges it by: the newest record
  /// carries them, so that status needs no pipeline file.
  package mutating func carrySettings(of pipeline: Pipeline) {
    schedule = pipeline.schedule
    timezone = pipeline.timeZone
    scheduleGraceSeconds = pipeline.scheduleGrace?.seconds
    timeoutSeconds = pipeline.timeout?.seconds
    stuckAfterSeconds = pipeline.stuckAfter?.seconds
    pausedAfterSeconds = pipeline.pausedAfter?.seconds
    maxAgeSeconds = pipeline.maxAge?.seconds
    minSuccessRate =
      pipeline.minSuccessRate == Pipeline.defaultMinSuccessRate ? nil : pipeline.minSuccessRate
  }

  /// The environment, parameters (secrets shown masked), their names and
  /// the logical date the run was given.
  package mutating func carry(_ settings: RunSettings) {
    environment = settings.environment
    params = settings.values.isEmpty ? nil : settings.shownValues
    secretNames = settings.secretNames.isEmpty ? nil : settings.secretNames
    logicalDate = settings.logicalDate
    dueAt = settings.dueAt
  }
}
