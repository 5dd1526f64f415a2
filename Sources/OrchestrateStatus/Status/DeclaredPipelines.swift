import FoundationEssentials
import Glibc

/// A pipeline of `<root>/pipelines/` that has no records: status judges it
/// by its file, so that a crontab line never installed, or installed on the
/// wrong machine, shows as a missed run instead of nothing at all.
public struct DeclaredPipeline: Sendable {
  public var name: String
  public var file: String
  public var schedule: String?
  public var timezone: String?
  public var graceSeconds: Double?
  public var maxAgeSeconds: Double?
  /// Since when runs are owed: the file's last change, or the schedule's
  /// installation when that came later.
  public var since: Date
}

public enum DeclaredPipelines {
  /// Where `schedule --install` notes when it installed each pipeline:
  /// `metrics/.schedule-installed`, one `name<TAB>seconds since 1970` a line.
  static let installedFile = ".schedule-installed"

  /// The pipelines of `<root>/pipelines/` that are not in `known` (the
  /// folders of `metrics/`), and the files among them that cannot be read.
  /// Files named like a known pipeline are not read at all: the common case
  /// costs nothing.
  static func scan(layout: RootLayout, known: Set<String>) -> (
    pipelines: [DeclaredPipeline], unreadable: [StatusIndex.Unreadable]
  ) {
    let directory = "\(layout.root)/pipelines"
    var pipelines: [DeclaredPipeline] = []
    var unreadable: [StatusIndex.Unreadable] = []
    var installed: [String: Date]?
    for name in PipelineLocator.pipelineFiles(in: directory).files {
      guard !known.contains(PathName.droppingExtension(name)) else { continue }
      if installed == nil { installed = readInstalled(layout) }
      switch declared("\(directory)/\(name)", installed: installed!) {
      case .success(let pipeline) where !known.contains(pipeline.name): pipelines.append(pipeline)
      case .success: break
      case .failure(let error):
        unreadable.append(.init(path: "pipelines/\(name)", reason: error.message))
      }
    }
    return (pipelines, unreadable)
  }

  /// The file of a pipeline that has a folder in `metrics/` but no run in
  /// it (only a schedule noted, say), when there is one.
  static func declared(named name: String, layout: RootLayout) -> DeclaredPipeline? {
    let directory = "\(layout.root)/pipelines"
    guard
      let file = PipelineLocator.pipelineFiles(in: directory).files.first(where: {
        PathName.droppingExtension($0) == name
      }),
      case .success(let pipeline) = declared(
        "\(directory)/\(file)", installed: readInstalled(layout)),
      pipeline.name == name
    else { return nil }
    return pipeline
  }

  private static func declared(_ path: String, installed: [String: Date]) -> Result<
    DeclaredPipeline, PipelineError
  > {
    let pipeline: Pipeline
    do {
      pipeline = try PipelineLoader.load(file: path)
    } catch {
      return .failure(error)
    }
    var info = stat()
    let changed =
      stat(path, &info) == 0
      ? Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec)) : Date.distantPast
    return .success(
      DeclaredPipeline(
        name: pipeline.name, file: path, schedule: pipeline.schedule,
        timezone: pipeline.timeZone, graceSeconds: pipeline.scheduleGrace?.seconds,
        maxAgeSeconds: pipeline.maxAge?.seconds,
        since: max(changed, installed[pipeline.name] ?? .distantPast)))
  }

  /// The file in `<root>/pipelines/` of the pipeline named `name`: the one
  /// named after it, else the one whose `name:` it is.
  public static func file(of name: String, layout: RootLayout) -> String? {
    let directory = "\(layout.root)/pipelines"
    let files = PipelineLocator.pipelineFiles(in: directory).files.map { "\(directory)/\($0)" }
    let byStem = files.filter { PathName.droppingExtension(PathName.last($0)) == name }
    // The one named after it first; each file parsed at most once.
    let others = files.filter { !byStem.contains($0) }
    return (byStem + others).first { (try? PipelineLoader.load(file: $0))?.name == name }
  }

  /// Notes that `names` were installed now, keeping the others' times.
  public static func noteInstalled(_ names: [String], layout: RootLayout, at now: Date = Date()) {
    var installed = readInstalled(layout)
    for name in names { installed[name] = now }
    let text = installed.keys.sorted().map {
      "\($0)\t\(Int(installed[$0]!.timeIntervalSince1970))\n"
    }.joined()
    // Made by root in another user's root directory (sudo, a unit with
    // User=), metrics/ would be root's, and that user's runs could not
    // write their records: leave it to the first run, which status reads
    // the file's own time for until then.
    var info = stat()
    if access(layout.metricsDirectory, F_OK) != 0, stat(layout.root, &info) == 0,
      info.st_uid != geteuid()
    {
      return
    }
    guard FileSystem.makeDirectories(layout.metricsDirectory) == nil else { return }
    try? AtomicFile.write(Data(text.utf8), to: "\(layout.metricsDirectory)/\(installedFile)")
  }

  static func readInstalled(_ layout: RootLayout) -> [String: Date] {
    let path = "\(layout.metricsDirectory)/\(installedFile)"
    guard case .contents(let data) = RecordCoding.readBounded(path) else { return [:] }
    var result: [String: Date] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let fields = line.split(separator: "\t")
      guard fields.count == 2, let seconds = Int(fields[1]), seconds >= 0 else { continue }
      result[String(fields[0])] = Date(timeIntervalSince1970: Double(seconds))
    }
    return result
  }
}
