// Pipeline files in JSON: the strict JSON reader, and the same bytes the
// YAML way (JSON is YAML too, and a .yaml file may hold it).
import FoundationEssentials
import OrchestrateKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  for file in ["fuzz.json", "fuzz.yaml"] {
    do {
      let pipeline = try PipelineLoader.parse(data, file: file, defaultName: "fuzz")
      sink &+= pipeline.name.utf8.count &+ pipeline.sources.count
    } catch {
      sink &+= error.description.utf8.count
    }
  }
  return 0
}

nonisolated(unsafe) var sink = 0
