import FoundationEssentials
import Glibc

/// Reading any run's logs back, whether the run is still a directory or
/// already an archive: finding the run, listing its files, and streaming
/// one of them.
public struct RunLogs {
  public let layout: RootLayout

  public init(layout: RootLayout) { self.layout = layout }

  public enum Failure: Error, CustomStringConvertible {
    case unknownRun(String, logsDirectory: String, newest: [String])
    case unknownPipeline(String, logsDirectory: String, known: [String])
    case noRuns(logsDirectory: String)
    case unknownFile(String, run: String, found: [String])
    case unreadable(String)
    /// A log of a run that had secrets, with no record of where they stand.
    case secretsNotLocated(file: String, run: String)
    /// A run with a record and no logs: why, and when if that can be told.
    case logsDeleted(String)
    /// An option that reads one task's log, given a per-source task.
    case oneLogPerSource(String, instances: [String], option: String)

    public var description: String {
      switch self {
      case .unknownRun(let run, let directory, let newest):
        "no run '\(run)' in \(directory)"
          + (newest.isEmpty ? " (it holds none)" : " (newest: \(newest.joined(separator: ", ")))")
      case .unknownPipeline(let pipeline, let directory, let known):
        "no logs of pipeline '\(pipeline)' in \(directory)"
          + (known.isEmpty ? " (it holds none)" : " (found: \(known.joined(separator: ", ")))")
      case .noRuns(let directory): "no runs in \(directory)"
      case .unknownFile(let name, let run, let found):
        "no log '\(name)' in \(run) (found: \(found.joined(separator: ", ")))"
      case .unreadable(let message): message
      case .logsDeleted(let explanation): explanation
      case .oneLogPerSource(let task, let instances, let option):
        "'\(task)' has one log per source (\(instances.joined(separator: ", "))): "
          + "name one of them for \(option)"
      case .secretsNotLocated(let file, let run):
        "\(file) of \(run) is not shown: the run had secret values, and where they stand in "
          + "this log was never recorded (read it on the machine with orchestrate logs)"
      }
    }
  }

  /// How many run ids an unknown-run message suggests.
  static let suggestions = 5

  /// Every stored run of every pipeline, newest first.
  func allRuns(pipeline: String? = nil) -> [StoredRunLogs] {
    let pipelines = pipeline.map { [$0] } ?? PipelineLogDirectory.pipelines(in: layout)
    return
      pipelines
      .flatMap { PipelineLogDirectory(layout: layout, pipeline: $0).scan().runs }
      .sorted { ($0.startedAt, $0.name) > ($1.startedAt, $1.name) }
  }

  public func find(run: String) throws(Failure) -> StoredRunLogs {
    let runs = allRuns()
    if let found = runs.first(where: { $0.name == run }) { return found }
    if let deleted = DeletedRunLogs.find(run, layout: layout) {
      throw .logsDeleted(deleted.explanation(logs: self))
    }
    throw .unknownRun(
      run, logsDirectory: layout.logsDirectory,
      newest: runs.prefix(Self.suggestions).map(\.name))
  }

  /// The newest run, of one pipeline or of any.
  public func newest(pipeline: String?) throws(Failure) -> StoredRunLogs {
    if let pipeline {
      let known = PipelineLogDirectory.pipelines(in: layout)
      guard known.contains(pipeline) else {
        throw .unknownPipeline(pipeline, logsDirectory: layout.logsDirectory, known: known)
      }
    }
    guard let newest = allRuns(pipeline: pipeline).first else {
      throw .noRuns(
        logsDirectory: pipeline.map { layout.logsDirectory(pipeline: $0) } ?? layout.logsDirectory)
    }
    return newest
  }

  /// Where a run's logs are read from. An archive wins over a directory
  /// beside it: it appears only once complete, while the directory may be
  /// half removed by a rotation that stopped.
  public static func source(of run: StoredRunLogs) -> String {
    run.archive ?? run.directory!
  }

  /// The run's files, named relative to the run (`extract[geo].log`), with sizes.
  public func files(of run: StoredRunLogs) throws(Failure) -> [ArchivedFile] {
    guard let archive = run.archive else {
      return RunArchiver.regularFiles(under: run.directory!, as: run.name).map {
        ArchivedFile(path: Self.withinRun($0.path), size: $0.size)
      }
    }
    do {
      return try LogArchiveReader.readableFiles(of: archive).map {
        ArchivedFile(path: Self.withinRun($0.path), size: $0.size)
      }
    } catch {
      throw .unreadable(error.description)
    }
  }

  /// Streams one file of the run to `fd` in blocks. `name` is a task
  /// (`extract[geo]`, meaning `extract[geo].log`) or a file name.
  public func copy(_ name: String, of run: StoredRunLogs, to fd: Int32) throws(Failure) {
    try copy(anyOf: [name + ".log", name], of: run, to: fd)
  }

  /// Streams the file named `file` (relative to the run) to `fd`.
  public func copy(file: String, of run: StoredRunLogs, to fd: Int32) throws(Failure) {
    try copy(anyOf: [file], of: run, to: fd)
  }

  /// Streams `file` to `fd` with the secret values the run located in it
  /// shown as `***`. A log of a run that had secrets but no ranges for this
  /// log (its orchestrator died before looking) is refused: it may hold them.
  public func copyMasked(file: String, of run: StoredRunLogs, to fd: Int32) throws(Failure) {
    guard smallFile(SecretRanges.marker, of: run) != nil else {
      return try copy(anyOf: [file], of: run, to: fd)
    }
    guard let data = smallFile(SecretRanges.fileName(of: file), of: run),
      let ranges = SecretRanges(data)
    else {
      throw .secretsNotLocated(file: file, run: run.name)
    }
    var masker = SecretRangeMasker(ranges)
    try copy(anyOf: [file], of: run) { block in
      masker.write(block) { FileDescriptor.writeAll($0, to: fd) }
    }
  }

  private func copy(anyOf wanted: [String], of run: StoredRunLogs, to fd: Int32) throws(Failure) {
    try copy(anyOf: wanted, of: run) { FileDescriptor.writeAll($0, to: fd) }
  }

  /// A file of at most 16 MiB of the run, whole; nil when there is none.
  func smallFile(_ name: String, of run: StoredRunLogs) -> Data? {
    var data = Data()
    do {
      try copy(anyOf: [name], of: run) { block in
        data.append(contentsOf: block)
        return data.count <= RecordCoding.largestRecord
      }
    } catch {
      return nil
    }
    return data
  }

  private func copy(
    anyOf wanted: [String], of run: StoredRunLogs, emit: (UnsafeRawBufferPointer) -> Bool
  ) throws(Failure) {
    if let archive = run.archive {
      try copyFromArchive(archive, wanted: wanted, run: run.name, emit: emit)
    } else {
      let files = try files(of: run)
      guard let file = wanted.lazy.compactMap({ w in files.first { $0.path == w } }).first else {
        throw .unknownFile(wanted.last!, run: run.name, found: Self.names(files))
      }
      try copyFile("\(run.directory!)/\(file.path)", emit: emit)
    }
  }

  /// The run's record, when it is there and readable.
  public func record(of run: StoredRunLogs) -> RunRecord? {
    RecordCoding.readRecord(
      at: "\(layout.metricsDirectory(pipeline: run.pipeline))/\(run.name).json")
  }

  private func copyFromArchive(
    _ archive: String, wanted: [String], run: String, emit: (UnsafeRawBufferPointer) -> Bool
  ) throws(Failure) {
    var seen: [ArchivedFile] = []
    do throws(LogArchiveError) {
      let reader = try LogArchiveReader(path: archive)
      while let entry = try reader.nextEntry() {
        let path = Self.withinRun(entry.path)
        guard entry.isRegularFile else { continue }
        if wanted.contains(path) {
          try reader.readData { block throws(LogArchiveError) in
            guard emit(block) else {
              throw LogArchiveError.system("cannot write the log")
            }
          }
          return
        }
        seen.append(ArchivedFile(path: path, size: entry.size))
      }
    } catch {
      throw .unreadable(error.description)
    }
    throw .unknownFile(wanted.last!, run: run, found: Self.names(seen))
  }

  private func copyFile(_ path: String, emit: (UnsafeRawBufferPointer) -> Bool) throws(Failure) {
    let input = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard input >= 0 else {
      throw .unreadable("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(input) }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: LogArchive.blockSize, alignment: 16)
    defer { buffer.deallocate() }
    while true {
      let count = read(input, buffer, LogArchive.blockSize)
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else {
        throw .unreadable("cannot read \(path): \(String(cString: strerror(errno)))")
      }
      if count == 0 { return }
      guard emit(UnsafeRawBufferPointer(start: buffer, count: count)) else {
        throw .unreadable("cannot write the log: \(String(cString: strerror(errno)))")
      }
    }
  }

  /// `run_…/extract[geo].log` → `extract[geo].log`.
  static func withinRun(_ path: String) -> String {
    guard let slash = path.firstIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
  }

  /// The logs a name finds, by task name (`extract[geo]`, `orchestrate`),
  /// for messages about a name that finds none: retries' logs, report files
  /// and the journal are left out (`logs RUN --all` lists every file).
  package static func names(_ files: [ArchivedFile]) -> [String] {
    files.map(\.path).filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) }
      .filter { !isRetry($0) }
  }

  /// `transform.attempt-2` (from `transform.attempt-2.log`).
  static func isRetry(_ name: String) -> Bool {
    guard let dot = name.lastIndex(of: ".") else { return false }
    let suffix = name[name.index(after: dot)...]
    return suffix.hasPrefix("attempt-") && suffix.count > 8
      && suffix.dropFirst(8).allSatisfy(\.isASCII) && suffix.dropFirst(8).allSatisfy(\.isNumber)
  }
}
