// Pipeline files in YAML: libyaml's events, orchestrate's node tree and
// decoder, validation, and the error messages (with their hints).
import FoundationEssentials
import OrchestrateKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  do {
    let pipeline = try PipelineLoader.parse(data, file: "fuzz.yaml", defaultName: "fuzz")
    sink &+= pipeline.name.utf8.count &+ pipeline.sources.count
  } catch {
    sink &+= error.description.utf8.count
  }
  return 0
}

nonisolated(unsafe) var sink = 0
