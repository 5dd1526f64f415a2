import Foundation
import TestSupport
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

/// Archives are checked from the outside with the system `tar`: whatever
/// orchestrate writes, ordinary tools must read back to the original bytes.
@Suite struct LogArchiveTests {
  @Test func gzipArchiveListsAndExtractsToTheOriginalBytes() throws {
    try checkWithSystemTar(.gzip, tarFlags: "-z")
  }

  @Test(.enabled(if: zstdProgramAvailable, "no zstd program, so tar --zstd cannot check"))
  func zstdArchiveListsAndExtractsToTheOriginalBytes() throws {
    try checkWithSystemTar(.zstd, tarFlags: "--zstd")
  }

  private func checkWithSystemTar(_ compression: LogCompression, tarFlags: String) throws {
    let fixture = LogFixture()
    let run = RunID.daysAgo(10)
    let directory = fixture.makeRun(run)
    let archived = try RunArchiver.archive(directory: directory, compression: compression)
    #expect(archived.archive == "\(fixture.logsDirectory)/\(run)\(compression.archiveSuffix)")
    #expect(fixture.entries() == ["\(run)\(compression.archiveSuffix)"])
    let total = LogFixture.sampleFiles.values.reduce(0) { $0 + Int64($1.count) }
    #expect(archived.bytesBefore == total)
    #expect(archived.bytesAfter > 0 && archived.bytesAfter < total)

    let listing = try system(["tar", tarFlags, "-tf", archived.archive])
    #expect(listing.status == 0)
    let names = Set(listing.output.split(separator: "\n"))
    for file in LogFixture.sampleFiles.keys { #expect(names.contains("\(run)/\(file)"[...])) }

    let out = fixture.root + "/extracted"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    #expect(try system(["tar", tarFlags, "-xf", archived.archive, "-C", out]).status == 0)
    for (file, data) in LogFixture.sampleFiles {
      #expect(FileManager.default.contents(atPath: "\(out)/\(run)/\(file)") == data, "\(file)")
    }
  }

  /// The files of a directory with the sizes and checksums an archive of it must give back.
  private func expectedFiles(of directory: String) throws -> [ArchivedFile] {
    let parent = (directory as NSString).deletingLastPathComponent
    let top = (directory as NSString).lastPathComponent
    return try RunArchiver.regularFiles(under: directory, as: top).map {
      ArchivedFile(
        path: $0.path, size: $0.size, checksum: try Checksum.ofFile("\(parent)/\($0.path)"))
    }
  }

  @Test func readerGivesBackEveryFileItsSizeAndChecksum() throws {
    let fixture = LogFixture()
    let directory = fixture.makeRun("manual-copy")
    let original = try expectedFiles(of: directory)
    let archived = try RunArchiver.archive(directory: directory, compression: .gzip)
    let files = try LogArchiveReader.readableFiles(of: archived.archive)
    #expect(files == original)
    #expect(
      files.map(\.path).sorted() == LogFixture.sampleFiles.keys.map { "manual-copy/\($0)" }.sorted()
    )
    for file in files {
      #expect(Int(file.size) == LogFixture.sampleFiles[RunLogs.withinRun(file.path)]?.count)
    }
  }

  @Test func aTruncatedArchiveIsUnreadable() throws {
    let fixture = LogFixture()
    let archived = try RunArchiver.archive(directory: fixture.makeRun("run"), compression: .gzip)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: archived.archive))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: archived.archive))
    #expect(throws: LogArchiveError.self) {
      try LogArchiveReader.readableFiles(of: archived.archive)
    }
  }

  /// libarchive ignores gzip's CRC, so a changed byte can decode without
  /// error; the checksums taken while writing still tell.
  @Test(arguments: [0.3, 0.5, 0.7, 0.9])
  func aDamagedArchiveNeverReadsBackAsTheOriginal(at fraction: Double) throws {
    let fixture = LogFixture()
    let directory = fixture.makeRun("run")
    let original = try expectedFiles(of: directory)
    let archived = try RunArchiver.archive(directory: directory, compression: .gzip)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: archived.archive))
    bytes[Int(Double(bytes.count) * fraction)] ^= 0x55
    try bytes.write(to: URL(fileURLWithPath: archived.archive))
    #expect((try? LogArchiveReader.readableFiles(of: archived.archive)) != original)
  }

  @Test func aFileThatCannotBeArchivedLeavesTheDirectoryAndNoTemporary() throws {
    let fixture = LogFixture()
    let directory = fixture.makeRun("run")
    #expect(mkfifo("\(directory)/pipe", 0o644) == 0)
    #expect(throws: LogArchiveError.self) {
      try RunArchiver.archive(directory: directory, compression: .gzip)
    }
    #expect(fixture.entries() == ["run"])
  }

  @Test func aStopRequestRemovesTheHalfWrittenArchive() throws {
    let fixture = LogFixture()
    let directory = fixture.makeRun("run")
    var asked = 0
    #expect(throws: LogArchiveError.stopped) {
      try RunArchiver.archive(directory: directory, compression: .gzip) {
        asked += 1
        return asked > 3
      }
    }
    #expect(fixture.entries() == ["run"])
    #expect(
      RunArchiver.regularFiles(under: directory, as: "run").count == LogFixture.sampleFiles.count)
  }

  @Test func zstdSupportIsKnown() {
    // Debian's libarchive links libzstd; a build without it must say so, not fall back.
    #expect(LogArchiveWriter.supportsZstd)
  }
}
