import Foundation
import TestSupport
import Testing

/// What a new user reads and types first: the README's quick start runs as
/// written, every link of the docs lands somewhere, the man page of the
/// pipeline file says what the schema says, the layout names every folder,
/// and the example pipeline works in both of its forms.
@Suite(.serialized) struct DocumentationTests {
  let repository = Orchestrate.packageRoot

  /// Runs a command from the repository's root, standard error with standard output.
  func shell(_ command: String, path: String = "/usr/bin:/bin") throws -> (
    status: Int32, output: String
  ) {
    try system(
      ["bash", "-c", "\(command) 2>&1"], in: repository,
      environment: ["PATH": path, "HOME": "/tmp", "LANG": "C.UTF-8"])
  }

  @Test func theQuickStartRunsAsWritten() throws {
    let binaries = URL(fileURLWithPath: Orchestrate.resolvedBinary).deletingLastPathComponent().path
    let script = try shell("scripts/quick-start.sh --print")
    #expect(script.status == 0, "\(script.output)")
    #expect(script.output.contains("orchestrate schedule --install crontab"), "\(script.output)")
    let run = try shell("scripts/quick-start.sh", path: "\(binaries):/usr/bin:/bin")
    #expect(run.status == 0, "\(run.output)")
    #expect(run.output.contains("quick-start: ok (\(binaries)/orchestrate)"), "\(run.output)")
  }

  /// A quick start whose command fails is caught, not skipped.
  @Test func aFailingQuickStartCommandFailsTheCheck() throws {
    let copy = TestRoot()
    try FileManager.default.createDirectory(
      atPath: "\(copy.path)/scripts", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: "\(repository)/scripts/quick-start.sh", toPath: "\(copy.path)/scripts/quick-start.sh")
    copy.write("README.md", "# x\n\n```sh quick-start\ntrue\norchestrate no-such-pipeline\n```\n")
    let binaries = URL(fileURLWithPath: Orchestrate.resolvedBinary).deletingLastPathComponent().path
    let run = try system(
      ["bash", "-c", "scripts/quick-start.sh 2>&1"], in: copy.path,
      environment: ["PATH": "\(binaries):/usr/bin:/bin", "HOME": "/tmp"])
    #expect(run.status == 2, "\(run.output)")
    #expect(run.output.contains("no such pipeline"), "\(run.output)")
    #expect(!run.output.contains("quick-start: ok"))
  }

  @Test func everyRelativeLinkOfTheDocsResolves() throws {
    let pages =
      ["README.md"]
      + (try FileManager.default.contentsOfDirectory(atPath: "\(repository)/docs"))
      .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
    var broken: [String] = []
    var checked = 0
    for page in pages.sorted() {
      let text = try String(contentsOfFile: "\(repository)/\(page)", encoding: .utf8)
      for target in MarkdownPage.links(in: text) where !MarkdownPage.isExternal(target) {
        checked += 1
        if let problem = MarkdownPage.problem(with: target, from: page, in: repository) {
          broken.append("\(page): (\(target)) \(problem)")
        }
      }
    }
    #expect(checked > 20, "the pages hold only \(checked) relative links")
    #expect(broken.isEmpty, "\(broken.joined(separator: "\n"))")
  }

  /// docs/layout.md names every folder under Sources/, so that a reader
  /// finds where a thing lives and a new folder says what it owns.
  @Test func theLayoutNamesEverySourcesFolder() throws {
    let layout = try String(contentsOfFile: "\(repository)/docs/layout.md", encoding: .utf8)
    let described = Set(
      layout.split(separator: "\n").compactMap { line in
        line.split(separator: " ").first.map(String.init)
      })
    let folders = try #require(FileManager.default.enumerator(atPath: "\(repository)/Sources"))
      .compactMap { $0 as? String }
      .filter { entry in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(
          atPath: "\(repository)/Sources/\(entry)", isDirectory: &isDirectory)
          && isDirectory.boolValue
      }
      .map { "Sources/\($0)/" }
    #expect(folders.count > 20)
    let missing = folders.filter { !described.contains($0) }.sorted()
    #expect(missing.isEmpty, "docs/layout.md has no line for: \(missing.joined(separator: ", "))")
  }

  /// man 5 orchestrate-pipeline is made from docs/pipeline.schema.json, which
  /// names exactly the loader's fields (PipelineSchemaTests): the committed
  /// page must be what the schema makes now, and lint clean.
  @Test func thePipelineManualPageIsTheSchemasAndLintClean() throws {
    let check = try shell("python3 scripts/pipeline-manual.py --check docs/orchestrate-pipeline.5")
    #expect(check.status == 0, "\(check.output)")
    let lint = try shell("mandoc -T lint -W warning docs/orchestrate-pipeline.5")
    #expect(lint.status == 0 && lint.output.isEmpty, "\(lint.output)")
    let groff = try shell("groff -ww -z -man docs/orchestrate-pipeline.5")
    #expect(groff.status == 0 && groff.output.isEmpty, "\(groff.output)")
  }

  /// The design's own command, `orchestrate daily.json`, and the YAML form
  /// both run the repository's example, and they are one pipeline.
  @Test func theExamplePipelineRunsInBothForms() throws {
    let root = TestRoot()
    for form in ["daily.json", "daily.yaml"] {
      try FileManager.default.createDirectory(
        atPath: "\(root.path)/pipelines", withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        atPath: "\(repository)/pipelines/\(form)", toPath: "\(root.path)/pipelines/\(form)")
    }
    let json = try Orchestrate.run(["daily.json", "--dry-run"], directory: root.path)
    let yaml = try Orchestrate.run(["daily.yaml", "--dry-run"], directory: root.path)
    #expect(json.exitCode == 0, "\(json.stderr)")
    #expect(yaml.exitCode == 0, "\(yaml.stderr)")
    #expect(json.stdout.contains("prepare") && json.stdout.contains("fetch[beta]"))
    #expect(
      json.stdout.replacingOccurrences(of: "daily.json", with: "daily.yaml") == yaml.stdout,
      "the two forms plan differently:\n\(json.stdout)\n---\n\(yaml.stdout)")

    // Side by side they are one pipeline: scheduled once, from the file the
    // bare name finds first.
    let schedule = try Orchestrate.run(["schedule", "--root", root.path])
    #expect(schedule.exitCode == 0, "\(schedule.stderr)")
    #expect(schedule.stdout.components(separatedBy: "crontab    ").count == 2, "\(schedule.stdout)")
    #expect(schedule.stdout.contains("\(root.path)/pipelines/daily.json\n"))
    #expect(schedule.stderr.contains("daily.yaml: left out: the name daily finds daily.json first"))

    let run = try Orchestrate.run(["daily.json"], directory: root.path)
    #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics/daily")
        .contains { $0.hasPrefix("run_") && $0.hasSuffix(".json") })
  }
}

/// Links and headings of a Markdown page, read as GitHub renders them.
enum MarkdownPage {
  /// The targets of inline links and images, outside code.
  static func links(in text: String) -> [String] {
    var targets: [String] = []
    for line in prose(text) {
      let withoutCode = line.replacing(/`[^`]*`/, with: "")
      for match in withoutCode.matches(of: /\]\(([^)\s]+)(?:\s+"[^"]*")?\)/) {
        targets.append(String(match.output.1))
      }
    }
    return targets
  }

  static func isExternal(_ target: String) -> Bool {
    target.contains(/^[a-zA-Z][a-zA-Z0-9+.-]*:/)
  }

  /// nil when the file exists and the anchor names one of its headings.
  static func problem(with target: String, from page: String, in repository: String) -> String? {
    let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
    let path = String(parts[0])
    let directory = URL(fileURLWithPath: "\(repository)/\(page)").deletingLastPathComponent()
    let file = path.isEmpty ? "\(repository)/\(page)" : directory.appendingPathComponent(path).path
    guard FileManager.default.fileExists(atPath: file) else { return "no such file" }
    guard parts.count == 2 else { return nil }
    let anchor = String(parts[1])
    guard file.hasSuffix(".md"), let text = try? String(contentsOfFile: file, encoding: .utf8)
    else { return "an anchor into a file that is not Markdown" }
    return anchors(of: text).contains(anchor) ? nil : "no heading #\(anchor)"
  }

  /// GitHub's heading ids: lower case, punctuation dropped, spaces to
  /// hyphens, a repeated id numbered -1, -2, …
  static func anchors(of text: String) -> Set<String> {
    var seen: [String: Int] = [:]
    var found: Set<String> = []
    for line in prose(text) {
      guard let heading = line.firstMatch(of: /^#{1,6}\s+(.*?)\s*#*\s*$/) else { continue }
      let slug = String(
        heading.output.1.lowercased().unicodeScalars.compactMap { scalar -> Character? in
          if scalar == " " { return "-" }
          if scalar == "-" || scalar == "_" || CharacterSet.alphanumerics.contains(scalar) {
            return Character(scalar)
          }
          return nil
        })
      let count = seen[slug, default: 0]
      seen[slug] = count + 1
      found.insert(count == 0 ? slug : "\(slug)-\(count)")
    }
    return found
  }

  /// The lines outside fenced code blocks.
  static func prose(_ text: String) -> [Substring] {
    var inFence = false
    return text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
      if line.hasPrefix("```") {
        inFence.toggle()
        return false
      }
      return !inFence
    }
  }
}
