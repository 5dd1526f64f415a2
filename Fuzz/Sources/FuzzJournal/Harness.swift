// The run journal (`logs/<pipeline>/<run_id>/orchestrate.journal`): its
// lines read as a later run settling a dead one reads them.
import FoundationEssentials
import OrchestrateKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  sink &+= FuzzEntryPoints.journal(data).count
  return 0
}

nonisolated(unsafe) var sink = 0
