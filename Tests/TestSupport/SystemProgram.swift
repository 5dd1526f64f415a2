import Foundation

/// Runs a program found on PATH (`tar`, `zstd`, …) or named by its path from
/// `directory`, in `environment` (nil: the test runner's); its exit status
/// and standard output. Standard error is discarded.
public func system(
  _ arguments: [String], in directory: String = "/", environment: [String: String]? = nil
) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: directory)
  if let environment { process.environment = environment }
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  try process.run()
  let output = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
