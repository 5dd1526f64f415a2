import Foundation
import Testing

@testable import OrchestrateStatus

/// Files orchestrate writes are never opened through a link someone planted.
@Suite struct FileSystemTests {
  let directory: String = {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("orchestrate-fs-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  func victim() throws -> String {
    let path = "\(directory)/victim"
    try "precious".write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  @Test func aNewFileReplacesAPlantedLinkAndLeavesItsTargetAlone() throws {
    let target = try victim()
    symlink(target, "\(directory)/.record.json.123.tmp")
    let fd = FileSystem.openNew("\(directory)/.record.json.123.tmp", O_WRONLY)
    #expect(fd >= 0)
    #expect(write(fd, "new", 3) == 3)
    close(fd)
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
    var info = stat()
    #expect(lstat("\(directory)/.record.json.123.tmp", &info) == 0)
    #expect(info.st_mode & S_IFMT == S_IFREG)
  }

  @Test func anOwnFileIsNeverOpenedThroughALink() throws {
    let target = try victim()
    symlink(target, "\(directory)/.lock")
    #expect(FileSystem.openOwn("\(directory)/.lock", O_RDWR | O_TRUNC) == -1)
    #expect(errno == ELOOP)
    symlink("\(directory)/nowhere", "\(directory)/dangling")
    #expect(FileSystem.openOwn("\(directory)/dangling", O_WRONLY) == -1)
    #expect(!FileManager.default.fileExists(atPath: "\(directory)/nowhere"))
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
  }

  @Test func directoriesOthersCanWriteOrThatAreLinksAreNotOurs() throws {
    #expect(FileSystem.untrustedDirectory(directory) == nil)
    symlink(directory, "\(directory)/link")
    #expect(FileSystem.untrustedDirectory("\(directory)/link")?.contains("symbolic link") == true)
    mkdir("\(directory)/open", 0o755)
    chmod("\(directory)/open", 0o777)
    #expect(FileSystem.untrustedDirectory("\(directory)/open")?.contains("mode 777") == true)
    chmod("\(directory)/open", 0o1777)
    #expect(FileSystem.untrustedDirectory("\(directory)/open") == nil)
  }
}
