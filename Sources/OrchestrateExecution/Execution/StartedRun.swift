import FoundationEssentials
import Glibc

/// What a run has on disk before its first task: the record with room for
/// its final version, the run's log directory with its secret marker, and
/// the journal. A run that cannot have all of them does not start, and
/// leaves none of them behind.
struct StartedRun {
  var run: RunID
  var record: RunRecord
  var metricsFile: String
  var reserve: ReservedSpace
  var logDirectory: String
  var journal: RunJournal

  static func begin(
    _ record: RunRecord, of plan: Plan, run: RunID, layout: RootLayout, events: EventLog
  ) throws(PipelineRun.Failure) -> StartedRun {
    let pipeline = plan.pipeline.name
    let metricsFile = layout.metricsFile(pipeline: pipeline, run: run)
    let firstRecord = RecordJSON.encode(record)
    let reserve: ReservedSpace
    do {
      reserve = try ReservedSpace(
        for: metricsFile, bytes: firstRecord.count * 4 + MetricsWriter.reserveSlack)
    } catch {
      throw .setup("\(error.description); no task was started")
    }
    do {
      try AtomicFile.write(firstRecord, to: metricsFile)
    } catch {
      throw .setup(
        "cannot write the metrics file \(metricsFile): \(error.reason); no task was started")
    }
    let logDirectory = layout.runLogDirectory(pipeline: pipeline, run: run)
    // A run directory is new: its name holds this run's time and pid, and
    // one made by anyone else (a planted link among them) is not taken over.
    if mkdir(logDirectory, FileSystem.directoryMode(in: PathName.parent(logDirectory))) != 0 {
      let reason =
        errno == EEXIST ? "something of that name exists already" : String(cString: strerror(errno))
      unlink(metricsFile)
      throw .setup("cannot create the run's log directory \(logDirectory): \(reason)")
    }
    guard SecretRanges.markFolder(logDirectory, mask: plan.settings.mask) else {
      let reason = String(cString: strerror(errno))
      rmdir(logDirectory)
      unlink(metricsFile)
      throw .setup("cannot write \(logDirectory)/\(SecretRanges.marker): \(reason)")
    }
    let journal: RunJournal
    do {
      journal = try openJournal(in: logDirectory, tasks: plan.steps.count, events: events)
    } catch {
      unlink("\(logDirectory)/\(SecretRanges.marker)")
      rmdir(logDirectory)
      unlink(metricsFile)
      throw error
    }
    return StartedRun(
      run: run, record: record, metricsFile: metricsFile, reserve: reserve,
      logDirectory: logDirectory, journal: journal)
  }

  private static func openJournal(in directory: String, tasks: Int, events: EventLog)
    throws(PipelineRun.Failure) -> RunJournal
  {
    do {
      let journal = try RunJournal(path: "\(directory)/\(RunJournal.fileName)", tasks: tasks)
      try events.attach(path: "\(directory)/orchestrate.log")
      return journal
    } catch let error as RunJournal.Failure {
      throw .setup("\(error.description); no task was started")
    } catch {
      unlink("\(directory)/\(RunJournal.fileName)")
      throw .setup("\(error); no task was started")
    }
  }
}
