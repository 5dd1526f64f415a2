import FoundationEssentials
import Glibc

/// Why a run did not start, and what was known of it by then. A refusal
/// that comes from the pipeline file or the machine (a program not on
/// cron's PATH, a missing env_file, a file broken by a deploy), not from a
/// mistyped command line.
public struct RunRefusal: Error, Sendable {
  public var reason: String
  /// The pipeline as the command line named it, and its file when found.
  public var argument: String
  public var file: String?
  public var root: String
  /// What had been read by the time of the refusal.
  public var pipeline: Pipeline?
  public var plan: Plan?
  public var environmentName: String?

  public init(
    reason: String, argument: String, file: String?, root: String, pipeline: Pipeline? = nil,
    plan: Plan? = nil, environmentName: String? = nil
  ) {
    self.reason = reason
    self.argument = argument
    self.file = file
    self.root = root
    self.pipeline = pipeline ?? plan?.pipeline
    self.plan = plan
    self.environmentName = environmentName ?? plan?.settings.environment
  }
}

/// A refused run leaves a small record (status `refused`, the reason, exit
/// code 2) and its status index line, so that `status` shows it CRITICAL,
/// and the pipeline's channels hear of it as of a failure, change-only.
/// When the file itself could not be read, the last version that started a
/// run stands in for it (`LastGoodPipeline`).
public enum RefusedRun {
  public struct Outcome {
    /// The record written; nil when there was nowhere to write it.
    public var metricsFile: String?
    public var record: RunRecord?
  }

  public static func record(
    _ refusal: RunRefusal, trigger: RunRecord.Trigger, inherited: [String: String],
    events: EventLog
  ) -> Outcome {
    let layout = RootLayout(root: refusal.root)
    let stem = PathName.droppingExtension(PathName.last(refusal.file ?? refusal.argument))
    let pipeline =
      refusal.pipeline
      ?? LastGoodPipeline.find(file: refusal.file, name: stem, layout: layout)
    // A name that matches no file and no pipeline that ever ran is a typo,
    // not a night that failed; a file that exists but cannot be read is a
    // deploy that broke it.
    guard pipeline != nil || refusal.file.map(isRegularFile) == true else { return Outcome() }
    let name = pipeline?.name ?? stem
    guard Names.problem(with: name) == nil else { return Outcome() }
    let record = refusedRecord(
      refusal, name: name, pipeline: pipeline, trigger: trigger, inherited: inherited)
    let directory = layout.metricsDirectory(pipeline: name)
    let metricsFile = layout.metricsFile(pipeline: name, run: RunID(record.runId)!)
    var written: String?
    let files = pipeline?.files ?? FileSettings()
    if FileSystem.makeDirectories(directory) == nil,
      FileSystem.untrustedDirectory(layout.metricsDirectory, othersMayWrite: files.othersMayWrite)
        == nil,
      FileSystem.untrustedDirectory(directory, othersMayWrite: files.othersMayWrite) == nil
    {
      _ = FileSystem.setReaders(of: directory, to: files.readableBy)
      do {
        try AtomicFile.write(RecordJSON.encode(record), to: metricsFile)
        StatusIndex.add(finalRecord: record, at: metricsFile)
        written = metricsFile
      } catch {
        events.problem("the refused run could not be recorded: \(error.description)")
      }
    }
    guard let pipeline,
      let notifier = RunNotifier(
        pipeline: pipeline, environmentName: refusal.environmentName,
        variables: refusal.plan?.settings.variables ?? [:],
        mask: refusal.plan?.settings.mask ?? SecretMask(), environment: inherited, layout: layout,
        events: events)
    else { return Outcome(metricsFile: written, record: record) }
    let told = notifier.runEnded(record, metricsFile: written)
    return Outcome(metricsFile: written, record: told)
  }

  private static func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }

  static func refusedRecord(
    _ refusal: RunRefusal, name: String, pipeline: Pipeline?, trigger: RunRecord.Trigger,
    inherited: [String: String]
  ) -> RunRecord {
    let now = Date()
    var record = RunRecord(
      runId: RunID(startedAt: now, pid: getpid()).text, pipeline: name,
      pipelineFile: refusal.file ?? pipeline?.file ?? refusal.argument,
      pipelineSha256: pipeline?.sha256 ?? "", status: .refused, startedAt: now,
      identity: ProcessIdentity.current(), user: ProcessIdentity.userName(inherited),
      trigger: trigger, sourceFilter: refusal.plan?.sourceFilter ?? [],
      maxParallel: pipeline?.maxParallel ?? 1, tasks: [])
    // Paths under the root as the root's own: the reason is read in status lines.
    record.reason = refusal.reason.replacing("\(refusal.root)/", with: "")
    record.exitCode = 2
    record.finishedAt = now
    record.durationSeconds = 0
    if let pipeline { record.carrySettings(of: pipeline) }
    if let settings = refusal.plan?.settings { record.carry(settings) }
    record.environment = refusal.environmentName
    record.taskFilter = refusal.plan?.taskFilter
    return record
  }
}
