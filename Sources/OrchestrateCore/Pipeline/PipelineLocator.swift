import FoundationEssentials
import Glibc

/// Finds the pipeline file a command line names and the root directory that
/// holds its `metrics/` and `logs/`, without depending on the working
/// directory more than the user asked for (cron starts in $HOME).
public struct PipelineLocation: Sendable, Equatable {
  public var file: String
  public var root: String
}

public enum PipelineLocator {
  static let extensions = ["", ".json", ".yaml", ".yml"]

  /// - Parameters:
  ///   - argument: a path, or a bare name looked up in `<root>/pipelines/`.
  ///   - rootOption: `--root`, which wins over everything.
  public static func locate(
    _ argument: String, rootOption: String?, environment: [String: String],
    currentDirectory: String = FileManager.default.currentDirectoryPath
  ) throws(PipelineError) -> PipelineLocation {
    let explicitRoot = (rootOption ?? environment["ORCHESTRATE_ROOT"]).flatMap {
      $0.isEmpty ? nil : absolute($0, in: currentDirectory)
    }
    let file: String
    if argument.contains("/") {
      file = absolute(argument, in: currentDirectory)
    } else {
      let directory = "\(explicitRoot ?? currentDirectory)/pipelines"
      let candidates =
        extensions.map { "\(directory)/\(argument)\($0)" } + ["\(currentDirectory)/\(argument)"]
      guard let found = candidates.first(where: isFile) else {
        let known = available(in: directory)
        throw PipelineError(
          file: argument,
          message: "no such pipeline in \(directory)"
            + (known.isEmpty ? "" : " (found: \(known.joined(separator: ", ")))"))
      }
      file = found
    }
    return PipelineLocation(
      file: file,
      root: root(
        for: file, rootOption: rootOption, environment: environment,
        currentDirectory: currentDirectory))
  }

  /// The root a run of `argument` uses, whether or not its file exists.
  public static func root(
    for argument: String, rootOption: String?, environment: [String: String],
    currentDirectory: String = FileManager.default.currentDirectoryPath
  ) -> String {
    if let explicit = (rootOption ?? environment["ORCHESTRATE_ROOT"]), !explicit.isEmpty {
      return absolute(explicit, in: currentDirectory)
    }
    guard argument.contains("/") else { return currentDirectory }
    let parent = PathName.parent(absolute(argument, in: currentDirectory))
    return PathName.last(parent) == "pipelines" ? PathName.parent(parent) : currentDirectory
  }

  /// Pipeline files in `directory`, for "did you mean" messages.
  public static func available(in directory: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { ["json", "yaml", "yml"].contains(PathName.extension($0)) }
      .sorted()
  }

  /// One file per pipeline of `directory`, the one its bare name finds:
  /// `daily.json` and `daily.yaml` side by side are one pipeline in two
  /// forms, and `daily.json` (earlier in the lookup order) is the one that
  /// runs, so it is the one scheduled. `shadowed` lists the others.
  public static func pipelineFiles(in directory: String) -> (
    files: [String], shadowed: [String]
  ) {
    var files: [String] = []
    var shadowed: [String] = []
    var stems = Set<String>()
    let rank = { (name: String) in extensions.firstIndex(of: ".\(PathName.extension(name))") ?? 0 }
    for name in available(in: directory).sorted(by: { rank($0) < rank($1) }) {
      if stems.insert(PathName.droppingExtension(name)).inserted {
        files.append(name)
      } else {
        shadowed.append(name)
      }
    }
    return (files.sorted(), shadowed.sorted())
  }

  private static func isFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFDIR
  }

  private static func absolute(_ path: String, in directory: String) -> String {
    let full = path.hasPrefix("/") ? path : "\(directory)/\(path)"
    return URL(fileURLWithPath: full).standardizedFileURL.path
  }
}
