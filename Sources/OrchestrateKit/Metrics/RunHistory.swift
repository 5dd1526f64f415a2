import Foundation

/// Reading a pipeline's earlier run records back from its metrics directory.
public enum RunHistory {
  /// The newest `limit` readable records in `directory`, newest first.
  /// Unreadable or foreign files are passed over: history is advisory.
  public static func recent(in directory: String, limit: Int, excluding runId: String? = nil)
    -> [RunRecord]
  {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let runs = names.compactMap { name -> RunID? in
      guard name.hasSuffix(".json") else { return nil }
      return RunID(String(name.dropLast(".json".count)))
    }
    let decoder = RecordCoding.decoder()
    var records: [RunRecord] = []
    for run in runs.sorted(by: >) where run.text != runId {
      guard records.count < limit else { break }
      if let data = FileManager.default.contents(atPath: "\(directory)/\(run.text).json"),
        let record = try? decoder.decode(RunRecord.self, from: data)
      {
        records.append(record)
      }
    }
    return records
  }
}
