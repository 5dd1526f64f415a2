import Foundation
import Glibc
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// Reading /proc's stat and io files, and the CPU share between two samples.
@Suite struct ProcResourcesTests {
  /// The bytes of a fixture under Tests/Fixtures/proc.
  func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/proc/\(name)")
    return Array(try Data(contentsOf: url))
  }

  func stat(_ name: String) throws -> ProcStatFields? {
    try fixture(name).withUnsafeBufferPointer { ProcStatFields.parse($0) }
  }

  func io(_ name: String) throws -> ProcIOCounts? {
    try fixture(name).withUnsafeBufferPointer { ProcIOCounts.parse($0) }
  }

  @Test func statOfAProcess() throws {
    // utime 250 + stime 40 + cutime 7 + cstime 3; rss 51200 pages.
    #expect(
      try stat("stat-python.txt")
        == ProcStatFields(state: UInt8(ascii: "S"), group: 4120, cpuTicks: 300, rssPages: 51200))
  }

  @Test func aNameWithSpacesAndParenthesesIsSkippedWhole() throws {
    // The name is `we) ird (x`: fields are counted from the last `)`.
    #expect(
      try stat("stat-name-with-parentheses.txt")
        == ProcStatFields(state: UInt8(ascii: "S"), group: 4120, cpuTicks: 15, rssPages: 407))
  }

  @Test func aZombieHoldsItsTicksAndNoMemory() throws {
    #expect(
      try stat("stat-zombie.txt")
        == ProcStatFields(state: UInt8(ascii: "Z"), group: 4120, cpuTicks: 6, rssPages: 0))
  }

  @Test func aLineCutShortIsNotRead() throws {
    #expect(try stat("stat-cut-short.txt") == nil)
    #expect(
      Array("4121 python3 S 4120".utf8).withUnsafeBufferPointer { ProcStatFields.parse($0) } == nil)
  }

  @Test func storageBytesLessCancelledWrites() throws {
    #expect(
      try io("io-writer.txt")
        == ProcIOCounts(readBytes: 1_048_576, writeBytes: 209_715_200 - 4096))
  }

  @Test func ioWithoutStorageLinesIsNotRead() throws {
    #expect(try io("io-no-storage-lines.txt") == nil)
  }

  @Test func aGroupSumsItsMembers() throws {
    var usage = ProcessGroupUsage()
    let python = try #require(try stat("stat-python.txt"))
    let child = try #require(try stat("stat-name-with-parentheses.txt"))
    usage.add(python, io: try io("io-writer.txt"), pageSize: 4096)
    usage.add(child, io: nil, pageSize: 4096)
    #expect(usage.processes == 2)
    #expect(usage.rssBytes == (51200 + 407) * 4096)
    #expect(usage.cpuTicks == 315)
    #expect(usage.io == ProcIOCounts(readBytes: 1_048_576, writeBytes: 209_715_200 - 4096))
  }

  @Test func cpuPercentOfOneCore() {
    // 150 ticks at 100 a second over 1.5 s: one core busy the whole time.
    #expect(
      CPUShare.percent(fromTicks: 300, toTicks: 450, ticksPerSecond: 100, seconds: 1.5) == 100)
    // Two cores busy for 2 s.
    #expect(
      CPUShare.percent(fromTicks: 0, toTicks: 400, ticksPerSecond: 100, seconds: 2) == 200)
    #expect(CPUShare.percent(fromTicks: 10, toTicks: 10, ticksPerSecond: 100, seconds: 1) == 0)
    // A member that ended unreaped took its ticks with it: 0, not negative.
    #expect(CPUShare.percent(fromTicks: 500, toTicks: 300, ticksPerSecond: 100, seconds: 1) == 0)
    #expect(CPUShare.percent(fromTicks: 0, toTicks: 100, ticksPerSecond: 100, seconds: 0) == nil)
  }

  @Test func theFirstReadingOfAGroupHasNoCPUShare() {
    var sampler = GroupSampler()
    var usage = ProcessGroupUsage()
    usage.cpuTicks = 1000
    let first = sampler.readings(of: [7: usage], at: 10)
    #expect(first[7]?.cpuPercent == nil)
    usage.cpuTicks += UInt64(ProcessGroupScan.ticksPerSecond) / 2
    let second = sampler.readings(of: [7: usage], at: 11)
    #expect(second[7]?.cpuPercent == 50)
    // A group gone from a scan is forgotten: back again, it starts over.
    _ = sampler.readings(of: [:], at: 12)
    #expect(sampler.readings(of: [7: usage], at: 13)[7]?.cpuPercent == nil)
  }

  @Test func scanningProcFindsThisProcessGroup() throws {
    let group = getpgrp()
    let usage = try #require(ProcessGroupScan.sample([group])[group])
    #expect(usage.processes >= 1)
    // This test process alone holds megabytes.
    #expect(usage.rssBytes > 1 << 20)
    #expect(usage.io != nil)
    #expect(ProcessGroupScan.sample([]).isEmpty)
  }

  @Test func theFinalCountsKeepTheLargerOfWait4AndTheLastSample() {
    var attempt = AttemptRecord(number: 1, startedAt: Date())
    attempt.liveResources = LiveResources(
      sampledAt: Date(), processes: 2, rssBytes: 1 << 20, cpuPercent: 50, cpuSeconds: 1,
      readBytes: 8192, writeBytes: 100)
    let usage = ResourceUsage(
      peakRSSBytes: 1 << 21, userSeconds: 1, systemSeconds: 0, readBytes: 4096, writeBytes: 512)
    attempt.close(
      AttemptEnd(status: .exited(0), usage: usage), at: Date(), durationSeconds: 1,
      timedOut: false)
    #expect(attempt.liveResources == nil)
    #expect(attempt.readBytes == 8192)
    #expect(attempt.writeBytes == 512)
    var task = TaskRecord(name: "t", task: "t", source: nil, dependsOn: [], logFile: "t.log")
    task.count(attempt)
    task.count(attempt)
    #expect(task.readBytes == 16384)
    #expect(task.writeBytes == 1024)
  }

  @Test func aSummaryForATerminal() {
    var resources = LiveResources(
      sampledAt: Date(), processes: 1, rssBytes: 212 << 20, cpuPercent: 98.4, cpuSeconds: 3,
      readBytes: 0, writeBytes: 0)
    #expect(resources.summary == "rss 212.0 MiB  cpu 98%")
    resources.writeBytes = 200 << 20
    resources.cpuPercent = nil
    #expect(resources.summary == "rss 212.0 MiB  r 0 B  w 200.0 MiB")
  }
}
