// Env files (`env_file:`, dotenv), read as RunSettings reads them.
import FoundationEssentials
import OrchestrateKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  do {
    let entries = try DotEnv.parse(String(decoding: data, as: UTF8.self))
    for entry in entries { sink &+= entry.key.utf8.count &+ entry.value.utf8.count }
  } catch {
    sink &+= error.description.utf8.count
  }
  return 0
}

nonisolated(unsafe) var sink = 0
