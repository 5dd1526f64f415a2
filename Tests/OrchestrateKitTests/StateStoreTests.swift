import Foundation
import Testing

@testable import OrchestrateStatus

/// The store of a task's kept state: a copy per attempt, commit by rename,
/// what a crash leaves behind, pruning and rollback.
@Suite struct StateStoreTests {
  let layout: RootLayout = {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("orchestrate-state-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(
      atPath: "\(path)/metrics/p", withIntermediateDirectories: true)
    return RootLayout(root: path)
  }()

  var store: StateStore { StateStore(layout: layout, pipeline: "p", task: "t", source: nil) }

  static let runs = (1...6).map { "run_20261201_02000\($0)_100" }

  func write(_ text: String, to path: String) {
    try! text.write(toFile: path, atomically: false, encoding: .utf8)
  }

  func read(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
  }

  /// Commits a version holding `n` = `text` as run `run`.
  func commit(_ text: String, as run: String, keep: Int = 10) throws {
    let (copy, _) = try store.prepare(run: run, attempt: 1)
    write(text, to: "\(copy)/n")
    try store.commit(copy, as: run, keep: keep, user: "tester")
  }

  @Test func theFirstCopyIsEmptyAndACommitBecomesCurrent() throws {
    #expect(try store.current() == nil)
    let (copy, from) = try store.prepare(run: Self.runs[0], attempt: 1)
    #expect(from == nil)
    #expect(StateTree.names(in: copy) == [])
    write("1", to: "\(copy)/n")
    let (before, warning) = try store.commit(copy, as: Self.runs[0], keep: 10, user: "tester")
    #expect(before == nil && warning == nil)
    #expect(try store.current() == Self.runs[0])
    #expect(read("\(store.directory)/current/n") == "1")
    #expect(FileSystem.linkTarget("\(store.directory)/current") == "versions/\(Self.runs[0])")
    #expect(!FileManager.default.fileExists(atPath: copy))
  }

  @Test func aCopyIsPrivateUntilItIsCommitted() throws {
    try commit("1", as: Self.runs[0])
    let (copy, from) = try store.prepare(run: Self.runs[1], attempt: 1)
    #expect(from == Self.runs[0])
    #expect(read("\(copy)/n") == "1")
    write("garbage", to: "\(copy)/n")
    #expect(read("\(store.directory)/current/n") == "1")
    store.discard(copy)
    #expect(try store.current() == Self.runs[0])
    #expect(read("\(store.directory)/current/n") == "1")
    // A second attempt starts again from the committed version.
    let (again, _) = try store.prepare(run: Self.runs[1], attempt: 2)
    #expect(read("\(again)/n") == "1")
  }

  @Test func dotFilesDirectoriesAndLinksAreCopiedAndLinksNotFollowed() throws {
    let outside = "\(layout.root)/outside"
    write("secret", to: outside)
    let (copy, _) = try store.prepare(run: Self.runs[0], attempt: 1)
    write("abc", to: "\(copy)/.checksum")
    try FileManager.default.createDirectory(
      atPath: "\(copy)/d/e", withIntermediateDirectories: true)
    write("deep", to: "\(copy)/d/e/f")
    symlink(outside, "\(copy)/link")
    try store.commit(copy, as: Self.runs[0], keep: 10, user: "tester")
    let (next, _) = try store.prepare(run: Self.runs[1], attempt: 1)
    #expect(read("\(next)/.checksum") == "abc")
    #expect(read("\(next)/d/e/f") == "deep")
    #expect(FileSystem.linkTarget("\(next)/link") == outside)
    // Writing through the copied link is the task's business; removing the
    // copy never reaches the target.
    store.discard(next)
    #expect(read(outside) == "secret")
    let files = StateTree.files(in: store.versionDirectory(Self.runs[0])).map(\.path)
    #expect(files == [".checksum", "d", "d/e", "d/e/f", "link"])
  }

  @Test func recoveryRemovesWhatACrashLeftAndKeepsTheCurrentVersion() throws {
    try commit("1", as: Self.runs[0])
    // Killed while a task wrote its copy, and between a new link and its rename.
    let (copy, _) = try store.prepare(run: Self.runs[1], attempt: 1)
    write("half", to: "\(copy)/n")
    symlink("versions/\(Self.runs[1])", "\(store.directory)/.current.4242")
    let removed = store.recover()
    #expect(Set(removed) == [copy, "\(store.directory)/.current.4242"])
    #expect(StateTree.names(in: "\(store.directory)/.work") == [])
    #expect(try store.current() == Self.runs[0])
    #expect(read("\(store.directory)/current/n") == "1")
  }

  @Test func aVersionRenamedInButNotYetCurrentLeavesTheOldOneCurrent() throws {
    try commit("1", as: Self.runs[0])
    // A crash between the two renames of a commit.
    let (copy, _) = try store.prepare(run: Self.runs[1], attempt: 1)
    write("2", to: "\(copy)/n")
    #expect(rename(copy, store.versionDirectory(Self.runs[1])) == 0)
    #expect(try store.current() == Self.runs[0])
    let (next, from) = try store.prepare(run: Self.runs[2], attempt: 1)
    #expect(from == Self.runs[0] && read("\(next)/n") == "1")
    try store.commit(next, as: Self.runs[2], keep: 10, user: "tester")
    #expect(try store.current() == Self.runs[2])
  }

  @Test func pruningKeepsTheNewestAndNeverTheCurrentOne() throws {
    for (index, run) in Self.runs.prefix(4).enumerated() {
      try commit("\(index)", as: run, keep: 2)
    }
    #expect(store.versions() == [Self.runs[2], Self.runs[3]])
    try store.rollback(to: Self.runs[2], user: "tester", why: "bad")
    try commit("x", as: Self.runs[4], keep: 1)
    #expect(store.versions() == [Self.runs[4]])
    #expect(StateTree.names(in: "\(store.directory)/.work") == [])
  }

  @Test func rollbackIsRecordedAndRefusesWhatIsNotAVersion() throws {
    try commit("1", as: Self.runs[0])
    try commit("2", as: Self.runs[1])
    #expect(throws: StateError.self) { try store.rollback(to: Self.runs[5], user: "u", why: nil) }
    #expect(throws: StateError.self) { try store.rollback(to: "../../etc", user: "u", why: nil) }
    #expect(throws: StateError.self) { try store.rollback(to: Self.runs[1], user: "u", why: nil) }
    let from = try store.rollback(to: Self.runs[0], user: "ops", why: "bad input")
    #expect(from == Self.runs[1])
    #expect(try store.current() == Self.runs[0])
    let changes = StateLedger.read(store.ledgerFile)
    #expect(changes.map(\.action) == [.commit, .commit, .rollback])
    #expect(changes[2].from == Self.runs[1] && changes[2].to == Self.runs[0])
    #expect(changes[2].user == "ops" && changes[2].why == "bad input")
  }

  @Test func aCurrentLinkThatIsNotOursIsRefusedNotFollowed() throws {
    try commit("1", as: Self.runs[0])
    let link = "\(store.directory)/current"
    unlink(link)
    symlink("/etc", link)
    #expect(throws: StateError.self) { try store.current() }
    #expect(throws: StateError.self) { try store.prepare(run: Self.runs[1], attempt: 1) }
    // A version removed by hand: the task must not start from nothing.
    unlink(link)
    symlink("versions/\(Self.runs[3])", link)
    #expect(throws: StateError.self) { try store.prepare(run: Self.runs[1], attempt: 1) }
  }

  @Test func aPlantedLinkInPlaceOfAFolderIsRefused() throws {
    let elsewhere = "\(layout.root)/elsewhere"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: layout.stateDirectory(pipeline: "p"), withIntermediateDirectories: true)
    symlink(elsewhere, store.directory)
    #expect(throws: StateError.self) { try store.prepare(run: Self.runs[0], attempt: 1) }
    #expect(StateTree.names(in: elsewhere) == [])
  }

  @Test func stateIsReadFromThePipelineFile() throws {
    let pipeline = try parse(
      """
      sources: [a, b]
      tasks:
        - {name: one, run: x, state: true}
        - {name: two, run: x, state: {keep: 3}, for_each_source: true}
        - {name: three, run: x, state: false}
        - {name: four, run: x}
      """)
    #expect(pipeline.tasks.map(\.state) == [.init(keep: 10), .init(keep: 3), nil, nil])
    #expect(
      rejection("tasks: [{name: a, run: x, state: {keep: 0}}]")?.field == "tasks[0].state.keep")
    #expect(rejection("tasks: [{name: a, run: x, state: {every: 1}}]") != nil)
    let clash = rejection(
      "sources: [versions]\ntasks: [{name: a, run: x, state: true, for_each_source: true}]")
    #expect(clash?.field == "tasks[0].state")
  }
}

extension StateStoreTests {
  @Test func aRollbackRepairsACurrentLinkThatIsNotOurs() throws {
    try commit("1", as: Self.runs[0])
    let link = "\(store.directory)/current"
    unlink(link)
    symlink("/etc", link)
    #expect(try store.rollback(to: Self.runs[0], user: "ops", why: "repair") == nil)
    #expect(try store.current() == Self.runs[0])
    #expect(FileManager.default.fileExists(atPath: "/etc/passwd"))
  }

  @Test func everyStateOfAPipelineIsFoundForRecovery() throws {
    let perSource = ["a", "b"].map {
      StateStore(layout: layout, pipeline: "p", task: "extract", source: $0)
    }
    for store in perSource + [store] {
      _ = try store.prepare(run: Self.runs[0], attempt: 1)
    }
    let found = StateStore.all(layout: layout, pipeline: "p")
    #expect(found.map { "\($0.task)/\($0.source ?? "-")" } == ["extract/a", "extract/b", "t/-"])
    for entry in found { #expect(entry.store.recover().count == 1) }
  }
}

extension StateStoreTests {
  @Test func aFolderEveryUserCanWriteIsRefusedUnlessThatIsIntended() throws {
    try commit("1", as: Self.runs[0])
    chmod(store.directory, 0o777)
    #expect(throws: StateError.self) { try store.prepare(run: Self.runs[1], attempt: 1) }
    let allowed = StateStore(
      layout: layout, pipeline: "p", task: "t", source: nil, othersMayWrite: true)
    let (copy, from) = try allowed.prepare(run: Self.runs[1], attempt: 1)
    #expect(from == Self.runs[0] && read("\(copy)/n") == "1")
  }
}
