import Foundation
import Testing

@testable import OrchestrateStatus

@Suite struct AtomicFileTests {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())")
    .path

  @Test func replacesWholeFilesAndLeavesNoTemporary() throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/run.json"
    try AtomicFile.write(Data("first".utf8), to: path)
    try AtomicFile.write(Data("second".utf8), to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["run.json"])
  }

  @Test func aFailedWriteKeepsTheLastGoodFile() throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/run.json"
    try AtomicFile.write(Data("good".utf8), to: path)
    // Something in the way of the temporary file, as a full disk would be.
    try FileManager.default.createDirectory(
      atPath: "\(directory)/.run.json.\(getpid()).tmp", withIntermediateDirectories: true)
    #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write(Data("bad".utf8), to: path) }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "good")
    do {
      try AtomicFile.write(Data("bad".utf8), to: path)
    } catch {
      #expect(error.description.hasPrefix("cannot write \(path): open: "))
    }
  }
}
