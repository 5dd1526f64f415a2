import Foundation
import OrchestrateKit
import Testing

@testable import OrchestrateServer

/// When a kept answer stands for a request and when it is computed again.
@Suite struct AnswerCacheTests {
  /// Counts computations; each answer's body says which one made it.
  final class Computations: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next(live: Bool) -> RenderedAnswer {
      let number = lock.withLock {
        count += 1
        return count
      }
      return RenderedAnswer(
        status: .ok, contentType: "text/plain", body: Data("answer \(number)".utf8), live: live)
    }
  }

  /// A root with one pipeline whose records change as a run in progress
  /// changes them; each stamp taken once settled.
  struct MovingRoot {
    let layout: RootLayout
    var changes = 0
    var directory: String { layout.metricsDirectory(pipeline: "p") }

    init() throws {
      let root = FileManager.default.temporaryDirectory.appendingPathComponent(
        "orchestrate-cache-\(UUID().uuidString)"
      ).path
      layout = RootLayout(root: root)
      try FileManager.default.createDirectory(
        atPath: layout.metricsDirectory(pipeline: "p"), withIntermediateDirectories: true)
    }

    /// A record rewritten by a rename, as a running run does with its own.
    mutating func recordRewritten() throws -> DataStamp {
      changes += 1
      try Data("\(changes)".utf8).write(
        to: URL(fileURLWithPath: "\(directory)/run.json"), options: .atomic)
      return settledStamp()
    }

    /// A run's end: its line appended to the pipeline's status index.
    func runEnded() throws -> DataStamp {
      let path = "\(directory)/\(StatusIndex.fileName)"
      if !FileManager.default.fileExists(atPath: path) {
        FileManager.default.createFile(atPath: path, contents: nil)
      }
      let handle = try #require(FileHandle(forWritingAtPath: path))
      handle.seekToEndOfFile()
      handle.write(Data("a line\n".utf8))
      handle.closeFile()
      return settledStamp()
    }

    /// Once a change could no longer share its time with the next.
    func settledStamp() -> DataStamp {
      usleep(150_000)
      return DataStamp.of(layout, scope: .root)
    }

    func remove() { try? FileManager.default.removeItem(atPath: layout.root) }
  }

  func body(_ answer: CachedAnswer) -> String {
    String(decoding: answer.rendered.body, as: UTF8.self)
  }

  @Test func aRunInProgressIsKeptThroughChangesWhileFresh() async throws {
    var root = try MovingRoot()
    defer { root.remove() }
    let computations = Computations()
    let cache = AnswerCache(liveFreshness: .seconds(600))
    let compute: @Sendable () -> RenderedAnswer = { computations.next(live: true) }
    let first = await cache.answer(
      key: "/runs/r.html?live", stamp: try root.recordRewritten(), compute: compute)
    let second = await cache.answer(
      key: "/runs/r.html?live", stamp: try root.recordRewritten(), compute: compute)
    #expect(body(first) == "answer 1")
    #expect(body(second) == "answer 1", "a record rewritten by the run does not cost a decode")
  }

  @Test func aRunInProgressIsComputedAgainWhenARunEnds() async throws {
    var root = try MovingRoot()
    defer { root.remove() }
    let computations = Computations()
    let cache = AnswerCache(liveFreshness: .seconds(600))
    let compute: @Sendable () -> RenderedAnswer = { computations.next(live: true) }
    _ = await cache.answer(
      key: "/runs/r.html?live", stamp: try root.recordRewritten(), compute: compute)
    let ended = await cache.answer(
      key: "/runs/r.html?live", stamp: try root.runEnded(), compute: compute)
    #expect(body(ended) == "answer 2", "the page of a run that ended is not kept")
  }

  @Test func aRunInProgressIsComputedAgainOnceStale() async throws {
    var root = try MovingRoot()
    defer { root.remove() }
    let computations = Computations()
    let cache = AnswerCache(liveFreshness: .milliseconds(1))
    let compute: @Sendable () -> RenderedAnswer = { computations.next(live: true) }
    _ = await cache.answer(
      key: "/runs/r.html?live", stamp: try root.recordRewritten(), compute: compute)
    let later = await cache.answer(
      key: "/runs/r.html?live", stamp: try root.recordRewritten(), compute: compute)
    #expect(body(later) == "answer 2")
  }

  @Test func anAnswerOfEndedRunsChangesWithItsFiles() async throws {
    var root = try MovingRoot()
    defer { root.remove() }
    let computations = Computations()
    let cache = AnswerCache(liveFreshness: .seconds(600))
    let compute: @Sendable () -> RenderedAnswer = { computations.next(live: false) }
    let stamp = try root.recordRewritten()
    let first = await cache.answer(key: "/", stamp: stamp, compute: compute)
    let same = await cache.answer(key: "/", stamp: stamp, compute: compute)
    let moved = await cache.answer(key: "/", stamp: try root.recordRewritten(), compute: compute)
    #expect(body(first) == "answer 1")
    #expect(body(same) == "answer 1", "unchanged files: the kept answer")
    #expect(body(moved) == "answer 2", "a changed file: computed again at once")
  }
}
