// Pipeline files in JSON: the strict syntax check, the JSON fast path, and
// the same bytes the YAML way (as a file whose fast path declined them is).
import FoundationEssentials
import OrchestrateKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  for fastJSON in [true, false] {
    do {
      let pipeline = try PipelineLoader.parse(
        data, file: "fuzz.json", defaultName: "fuzz", fastJSON: fastJSON)
      sink &+= pipeline.name.utf8.count &+ pipeline.sources.count
    } catch {
      sink &+= error.description.utf8.count
    }
  }
  return 0
}

nonisolated(unsafe) var sink = 0
