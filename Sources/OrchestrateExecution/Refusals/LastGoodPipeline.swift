import FoundationEssentials
import Glibc

/// The pipeline file as it was when a run last started, kept beside the
/// pipeline's records (`metrics/<pipeline>/.last-good.json`): when a
/// deploy breaks or removes the file, a refused run is still recorded under
/// the pipeline's name and told to the channels it had. Secrets are not in
/// it: channels name their variables (`url_env`), never the values.
public enum LastGoodPipeline {
  static let fileName = ".last-good.json"

  struct Stored: Codable {
    var file: String
    var sha256: String
    var text: String
  }

  /// Keeps `pipeline`'s file when it changed since the last kept version.
  public static func keep(_ pipeline: Pipeline, in directory: String) {
    let path = "\(directory)/\(fileName)"
    if let kept = read(path), kept.sha256 == pipeline.sha256, kept.file == pipeline.file { return }
    guard let data = FileManager.default.contents(atPath: pipeline.file),
      SHA256.hex(of: data) == pipeline.sha256
    else { return }
    let stored = Stored(
      file: pipeline.file, sha256: pipeline.sha256, text: String(decoding: data, as: UTF8.self))
    guard let encoded = try? JSONEncoder().encode(stored) else { return }
    try? AtomicFile.write(encoded, to: path)
  }

  /// The last good version of the pipeline in `file` (or, for a file that
  /// is gone, named `name`): first the pipeline named after the file, then
  /// any pipeline whose kept version came from that file.
  public static func find(file: String?, name: String, layout: RootLayout) -> Pipeline? {
    var candidates = [name]
    candidates += layout.pipelinesWithRecords().filter { $0 != name }
    for candidate in candidates {
      let path = "\(layout.metricsDirectory(pipeline: candidate))/\(fileName)"
      guard let kept = read(path), file.map({ $0 == kept.file }) ?? (candidate == name)
      else { continue }
      let stem = PathName.droppingExtension(PathName.last(kept.file))
      if let pipeline = try? PipelineLoader.parse(
        Data(kept.text.utf8), file: kept.file, defaultName: stem)
      {
        return pipeline
      }
    }
    return nil
  }

  private static func read(_ path: String) -> Stored? {
    guard case .contents(let data) = RecordCoding.readBounded(path) else { return nil }
    return try? JSONDecoder().decode(Stored.self, from: data)
  }
}
