// Run records (`metrics/<pipeline>/<run_id>.json`): decoded as every
// command reads them (RecordCoding), written back (RecordJSON, as a rerun
// or a settled dead run does), digested; and decoded as the status index
// reads a record it has no line for (RunDigest.decode), by the record scanner
// and by Foundation's decoder alone, which must agree.
import FoundationEssentials
import OrchestrateKit

let file = "run_20261207_141335_17776.json"
let decoder = RecordCoding.decoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  if let record = try? decoder.decode(RunRecord.self, from: data) {
    sink &+= RecordCoding.namesItsFile(runId: record.runId, file: file) ? 1 : 0
    sink &+= RecordJSON.encode(record).count
    sink &+= RunDigest(record, file: file).tasks.count
  }
  let digest = try? FuzzEntryPoints.runDigest(data, file: file)
  // The scanner reads a record as Foundation's decoder does, or leaves it to it.
  guard digest == (try? FuzzEntryPoints.runDigest(data, file: file, scan: false)) else {
    fatalError("the record scanner and the decoder read \(data.count) bytes differently")
  }
  sink &+= digest?.tasks.count ?? 0
  return 0
}

nonisolated(unsafe) var sink = 0
