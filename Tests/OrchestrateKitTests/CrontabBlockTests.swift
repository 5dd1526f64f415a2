import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// The crontab block's comments: sums that tell lines edited by hand, the
/// arguments an install was given, and blocks written before either.
@Suite struct CrontabBlockTests {
  let block = CrontabBlock(root: "/srv/etl")
  let line = "0 2 * * * /usr/bin/orchestrate /srv/etl/pipelines/nightly.yaml"

  func entry(_ line: String, given: [String] = []) -> CrontabBlock.Entry {
    CrontabBlock.Entry(subject: .pipeline("nightly"), line: line, given: given)
  }

  /// Lines of blocks from before the sums: orchestrate's shape is replaced,
  /// anything else was a person's.
  @Test func linesWrittenBeforeSumsAreJudgedByTheirShape() throws {
    let legacy = { (line: String) in
      "# BEGIN orchestrate /srv/etl\n# orchestrate pipeline nightly\n\(line)\n"
        + "# END orchestrate /srv/etl\n"
    }
    let new = entry("30 3 * * * /usr/bin/orchestrate /srv/etl/pipelines/nightly.yaml")
    for old in [line, "@daily /usr/bin/orchestrate /x/nightly.yaml --root /srv/etl"] {
      let edit = try block.installing([new], into: legacy(old), replacingAll: true)
      #expect(edit.handEdits.isEmpty, "\(old)")
      #expect(edit.crontab.contains("\n\(new.line)\n"))
    }
    for old in [line + " -e prod", line + " >>/tmp/log 2>&1", "#" + line, "cd /x && " + line] {
      let edit = try block.installing([new], into: legacy(old), replacingAll: true)
      #expect(
        edit.handEdits == [
          .init(subject: .pipeline("nightly"), line: old, replacement: new.line, kept: true)
        ], "\(old)")
      #expect(edit.crontab == legacy(old), "kept as it was, comment and all")
    }
  }

  @Test func givenArgumentsSurviveTheCommentQuotedOrNot() throws {
    let given = ["-e", "prod", "-p", "note=it's 50% done", "-p", "region=eu"]
    let written = try block.installing([entry(line, given: given)], into: "", replacingAll: true)
    #expect(written.crontab.contains(", given -e prod -p 'note=it'\\''s 50% done' -p region=eu\n"))
    let read = try block.entries(in: written.crontab)
    #expect(read.map(\.given) == [given])
    #expect(read.map(\.isAsWritten) == [true])
    #expect(
      ScheduledRunArguments(words: given)
        == ScheduledRunArguments(
          environment: "prod", params: ["note": "it's 50% done", "region": "eu"]))
  }

  /// A copy of an entry as written would run it twice; a comment whose
  /// line was deleted gets its line again.
  @Test func copiesAndMissingLinesAreRepaired() throws {
    let once = try block.installing([entry(line)], into: "", replacingAll: true).crontab
    let lines = once.split(separator: "\n", omittingEmptySubsequences: false)
    let doubled = (lines[0...2] + lines[1...]).joined(separator: "\n")
    #expect(try block.installing([entry(line)], into: doubled, replacingAll: true).crontab == once)
    let missing = (lines[0...1] + lines[3...]).joined(separator: "\n")
    #expect(try block.installing([entry(line)], into: missing, replacingAll: true).crontab == once)
  }

  /// systemd reads units only from its own directories; from anywhere
  /// else they must be linked first.
  @Test func theStartCommandFitsTheUnitDirectory() {
    let units = [
      SystemdUnits(
        pipeline: ScheduledPipeline(
          try! PipelineLoader.parse(
            Data("schedule: '@daily'\ntasks: [{name: a, run: x}]".utf8),
            file: "/srv/etl/pipelines/nightly.yaml", defaultName: "nightly"),
          root: "/srv/etl", binary: "/usr/bin/orchestrate")!)
    ]
    for directory in ["/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"] {
      let installation = SystemdInstallation(directory: directory, user: false)
      #expect(installation.isSearched, "\(directory)")
      #expect(
        installation.startLines(units) == [
          "to start them: systemctl daemon-reload && systemctl enable --now orchestrate-nightly.timer"
        ])
    }
    let home = ["HOME": "/home/etl"]
    let user = SystemdInstallation(
      directory: "/home/etl/.config/systemd/user", user: true, environment: home)
    #expect(user.isSearched)
    let elsewhere = SystemdInstallation(directory: "/srv/etl/units", user: true, environment: home)
    #expect(!elsewhere.isSearched)
    #expect(
      elsewhere.startLines(units).last
        == "to start them: systemctl --user link /srv/etl/units/orchestrate-nightly.service "
        + "/srv/etl/units/orchestrate-nightly.timer && systemctl --user enable --now "
        + "orchestrate-nightly.timer")
  }
}
