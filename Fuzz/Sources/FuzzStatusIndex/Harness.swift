// The status index (`metrics/<pipeline>/.status-index`): read as status and
// a run start read it, then loaded as StatusIndex.load loads it beside a few
// records (its lines for them current or stale), and appended to or
// rewritten. The records have a fixed size and modification time, so that
// lines naming them can be current: see Fuzz/Corpus/status-index.
import FoundationEssentials
import Glibc
import OrchestrateKit

/// Records beside the index in `load/`: two runs and a file that is none.
let records = [
  (
    "run_20261207_141335_17776.json",
    #"{"schema_version":1,"pipeline":"small","run_id":"run_20261207_141335_17776","status":"partial","started_at":"2026-12-07T14:13:35.303Z","duration_seconds":1.03,"source_filter":["a"],"tasks":[{"name":"count","status":"completed","duration_seconds":0.01,"metrics":{"rows=x":150}},{"name":"fails","status":"failed","attempts":[{},{}]},{"name":"old","status":"completed","reused_from":"run_20261206_141335_1"}]}"#
  ),
  (
    "run_20261207_141325_10456.json",
    #"{"schema_version":1,"pipeline":"small","run_id":"run_20261207_141325_10456","status":"running","started_at":"2026-12-07T14:13:25.323Z","tasks":[{"name":"count","status":"running"}]}"#
  ),
  ("run_20261207_141300_1.json", "{"),
]
/// 2026-12-07T14:13:36.340281355Z, as mtime_ns in the index.
let modified = timespec(tv_sec: 1_796_652_816, tv_nsec: 340_281_355)

let scratch: String = {
  let path = getenv("FUZZ_SCRATCH").map { String(cString: $0) }
    ?? "/dev/shm/orchestrate-fuzz-status-index-\(getpid())"
  mkdir(path, 0o700)
  mkdir("\(path)/read", 0o700)
  mkdir("\(path)/load", 0o700)
  for (name, text) in records {
    write(Array(text.utf8), to: "\(path)/load/\(name)")
    var times = [modified, modified]
    utimensat(AT_FDCWD, "\(path)/load/\(name)", &times, 0)
  }
  if getenv("FUZZ_SCRATCH") == nil {
    atexit { removeScratch() }
  }
  return path
}()

func removeScratch() {
  let path = "/dev/shm/orchestrate-fuzz-status-index-\(getpid())"
  for directory in ["read", "load"] {
    if let handle = opendir("\(path)/\(directory)") {
      while let entry = readdir(handle) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
          $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { unlink("\(path)/\(directory)/\(name)") }
      }
      closedir(handle)
    }
    rmdir("\(path)/\(directory)")
  }
  rmdir(path)
}

func write(_ bytes: [UInt8], to path: String) {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
  guard fd >= 0 else { fatalError("cannot write \(path)") }
  var done = 0
  while done < bytes.count {
    let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
    guard count > 0 else { fatalError("cannot write \(path)") }
    done += count
  }
  close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let input = bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
  let directory = scratch
  write(input, to: "\(directory)/read/.status-index")
  sink &+= FuzzEntryPoints.statusIndex(file: "\(directory)/read/.status-index")
  write(input, to: "\(directory)/load/.status-index")
  sink &+= FuzzEntryPoints.loadStatusIndex(directory: "\(directory)/load")
  return 0
}

nonisolated(unsafe) var sink = 0
