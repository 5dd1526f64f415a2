// The run journal's consumer: a later run settling a dead one brings its
// last record (here a fixed one, of a run whose task `wait` was running and
// `next` pending) up to date with the journal's lines, and writes it back.
import FoundationEssentials
import OrchestrateKit

let record = try! RecordCoding.decoder().decode(RunRecord.self, from: Data(#"""
{
  "boot_id" : "de6c1251-1376-40f0-ac5c-506124dd698a",
  "counts" : {
    "cancelled" : 0,
    "completed" : 0,
    "failed" : 0,
    "pending" : 1,
    "running" : 1,
    "skipped" : 0,
    "timed_out" : 0
  },
  "host" : "vm",
  "logical_date" : "2026-12-07",
  "max_parallel" : 1,
  "orchestrate_version" : "0.1.0",
  "pid" : 18875,
  "pipeline" : "slow",
  "pipeline_file" : "/tmp/fz3/slow.yaml",
  "pipeline_sha256" : "3b73231f29a30653aa27162ad5c5b80c7add324c552ad693bc348b35279de1cd",
  "process_start_ticks" : 560424,
  "run_id" : "run_20261207_141538_18875",
  "schema_version" : 1,
  "source_filter" : [],
  "started_at" : "2026-12-07T14:15:38.062Z",
  "status" : "running",
  "tasks" : [
    {
      "attempts" : [
        {
          "log_file" : "logs/slow/run_20261207_141538_18875/wait.log",
          "number" : 1,
          "pid" : 18905,
          "process_start_ticks" : 560428,
          "started_at" : "2026-12-07T14:15:38.072Z",
          "timed_out" : false
        }
      ],
      "depends_on" : [],
      "log_file" : "logs/slow/run_20261207_141538_18875/wait.log",
      "name" : "wait",
      "started_at" : "2026-12-07T14:15:38.072Z",
      "status" : "running",
      "task" : "wait"
    },
    {
      "attempts" : [],
      "depends_on" : [
        "wait"
      ],
      "log_file" : "logs/slow/run_20261207_141538_18875/next.log",
      "name" : "next",
      "status" : "pending",
      "task" : "next"
    }
  ],
  "timeout_seconds" : 86400,
  "trigger" : "scheduled",
  "updated_at" : "2026-12-07T14:15:38.073Z",
  "user" : "root"
}
"""#.utf8))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  sink &+= FuzzEntryPoints.settle(record, journal: data).count
  return 0
}

nonisolated(unsafe) var sink = 0
