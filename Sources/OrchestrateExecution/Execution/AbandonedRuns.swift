import FoundationEssentials

/// Records left saying `running` by an orchestrator that died (kill -9,
/// power loss, a final record that could not be written). Whoever holds the
/// pipeline's lock (the next run, `rotate`) settles them once and for all:
/// the record is brought up to date from the run's journal, and every
/// process the dead run left is stopped. `status` shows the same account
/// without changing anything.
package enum AbandonedRuns {
  /// Settles the dead runs among `runs` (digests of the records in
  /// `metrics/<pipeline>/`); returns their settled records. Only records
  /// that say `running` are read in full.
  static func settle(_ runs: [RunDigest], pipeline: String, layout: RootLayout) -> [Settled] {
    let directory = layout.metricsDirectory(pipeline: pipeline)
    var settled: [Settled] = []
    for digest in runs where digest.status == .running {
      let path = "\(directory)/\(digest.file)"
      guard let record = RecordCoding.readRecord(at: path), record.status == .running,
        ProcessIdentity(of: record).liveness() == .gone
      else { continue }
      let journalPath = RunJournal.path(in: layout, pipeline: pipeline, runId: record.runId)
      let journal = RunJournal.read(path: journalPath)
      let trust = JournalTrust(files: [path, journalPath])
      // Jobs first, through Slurm, wherever the dead orchestrator ran: on
      // a node that is also this machine, their processes go with them.
      let cancelled = DeadRunJobs(
        journal: journal, environment: ProcessInfo.processInfo.environment
      ).cancel()
      let killed =
        isThisBoot(record)
        ? DeadRunProcesses.stopAll(record: record, journal: journal, trust: trust) : 0
      var final = reconstruct(
        record, journal: journal, layout: layout, killed: killed, cancelledJobs: cancelled)
      let note = trust.distrust.map {
        "its process ids were not taken as proof (\($0)): only processes whose "
          + "environment holds ORCHESTRATE_RUN_ID=\(record.runId) were stopped"
      }
      if let note { final.warnings = (final.warnings ?? []) + [note] }
      // Its items first: once the record is settled, nothing looks at it again.
      ItemRecovery.recover(
        run: record.runId, pipeline: pipeline, journal: journal, layout: layout)
      if (try? AtomicFile.write(RecordJSON.encode(final), to: path)) != nil {
        settled.append(Settled(record: final, note: note))
      }
    }
    return settled
  }

  struct Settled {
    var record: RunRecord
    /// Why the record's and journal's process ids were not acted on.
    var note: String?
  }

  /// What a record that says `running`, whose orchestrator is gone, really
  /// holds, read from its journal, with nothing written or stopped.
  package static func reconstruct(
    _ record: RunRecord, journal: [JournalEntry]? = nil, layout: RootLayout, killed: Int = 0,
    cancelledJobs: Int = 0
  ) -> RunRecord {
    let entries =
      journal
      ?? RunJournal.read(
        path: RunJournal.path(in: layout, pipeline: record.pipeline, runId: record.runId))
    // A run with secrets is settled without output tails: the values to
    // mask in them were the dead run's, and are known to nobody now.
    let hasSecrets = !(record.secretNames ?? []).isEmpty
    return RunSettlement.settle(
      record, journal: entries, killedProcesses: killed, cancelledJobs: cancelledJobs
    ) { task in
      hasSecrets ? nil : OutputTail.read(path: layout.absolute(task.logFile))
    }
  }

  /// Processes can be looked for only on the machine, and in the boot, that ran them.
  private static func isThisBoot(_ record: RunRecord) -> Bool {
    (record.bootId == nil || record.bootId == ProcessIdentity.currentBootId())
      && record.host == ProcessIdentity.hostName()
  }
}
