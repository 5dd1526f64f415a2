import FoundationEssentials
import Glibc

/// What a shell offers on TAB, read from a root directory: pipeline names
/// from `pipelines/`, pipeline files beside the word typed so far, run ids
/// from `metrics/`. Called by the shell completion scripts through the
/// binary itself, so these read names only; what needs a file's contents
/// (environments, parameter flags, a run's tasks) is in
/// PipelineCompletions.swift.
public struct CompletionCandidates {
  public var layout: RootLayout

  public init(layout: RootLayout) { self.layout = layout }

  static let pipelineExtensions = ["yaml", "yml", "json"]

  /// Bare names of `<root>/pipelines/` and pipeline files in the directory
  /// `prefix` points into; its directories too once a path is begun, to
  /// walk into.
  public func pipelines(matching prefix: String) -> [String] {
    var names = Set<String>()
    if !prefix.contains("/") {
      for file in Self.entries(of: "\(layout.root)/pipelines")
      where Self.pipelineExtensions.contains(PathName.extension(file)) {
        names.insert(PathName.droppingExtension(file))
      }
    }
    let slash = prefix.lastIndex(of: "/")
    let directoryPart = slash.map { String(prefix[...$0]) } ?? ""
    let directory = directoryPart.isEmpty ? "." : directoryPart
    for entry in Self.entries(of: directory) where !entry.hasPrefix(".") {
      let path = directory == "." ? entry : "\(directory)/\(entry)"
      var info = stat()
      if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
        if prefix.isEmpty { continue }
        names.insert("\(directoryPart)\(entry)/")
      } else if Self.pipelineExtensions.contains(PathName.extension(entry)) {
        names.insert("\(directoryPart)\(entry)")
      }
    }
    return names.filter { $0.hasPrefix(prefix) }.sorted()
  }

  /// Pipelines that have records: what `logs --last` and `status` take.
  public func recordedPipelines(matching prefix: String) -> [String] {
    Self.entries(of: layout.metricsDirectory).filter { !$0.hasPrefix(".") && $0.hasPrefix(prefix) }
      .sorted()
  }

  /// Run ids of every pipeline, newest first.
  public func runIDs(matching prefix: String) -> [String] {
    var ids: [String] = []
    for pipeline in Self.entries(of: layout.metricsDirectory) where !pipeline.hasPrefix(".") {
      for file in Self.entries(of: "\(layout.metricsDirectory)/\(pipeline)")
      where file.hasPrefix("run_") && file.hasSuffix(".json") {
        ids.append(String(file.dropLast(5)))
      }
    }
    // run_YYYYMMDD_HHMMSS_PID: the time sorts as text.
    return ids.filter { $0.hasPrefix(prefix) }.sorted(by: >)
  }

  static func entries(of directory: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
  }
}
