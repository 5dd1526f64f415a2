import Foundation
import TestSupport
import Testing

/// The library's targets depend one way, as docs/layout.md draws them: the
/// dependencies in Package.swift are exactly the picture's, and no source
/// file imports a target of this package that its own does not depend on.
/// SwiftPM refuses a cycle, but an undeclared import of a module it has
/// already built can compile; this catches both that and a new edge that
/// nobody drew.
@Suite struct TargetDependencyTests {
  let repository = Orchestrate.packageRoot

  /// `Name → A, B` lines of the ```text block under "## Sources".
  func picture() throws -> [String: Set<String>] {
    let layout = try String(contentsOfFile: "\(repository)/docs/layout.md", encoding: .utf8)
    let section = try #require(layout.range(of: "## Sources\n"))
    let block = try #require(
      layout.range(of: "```text\n", range: section.upperBound..<layout.endIndex))
    let end = try #require(layout.range(of: "\n```", range: block.upperBound..<layout.endIndex))
    var edges: [String: Set<String>] = [:]
    for line in layout[block.upperBound..<end.lowerBound].split(separator: "\n") {
      let sides = line.split(separator: "→", maxSplits: 1)
      try #require(sides.count == 2, "not `Name → A, B`: \(line)")
      let name = sides[0].trimmingCharacters(in: .whitespaces)
      edges[name] = Set(
        sides[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }
    return edges
  }

  /// Each target's direct dependencies, by name, as SwiftPM reads Package.swift.
  func declared() throws -> [String: (kind: String, dependencies: Set<String>)] {
    // A scratch path of its own: the running `swift test` holds .build's lock.
    let scratch = NSTemporaryDirectory() + "orchestrate-dump-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let dump = try system(
      ["swift", "package", "--scratch-path", scratch, "dump-package"], in: repository)
    try #require(dump.status == 0, "swift package dump-package failed")
    let manifest = try #require(
      try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
    let targets = try #require(manifest["targets"] as? [[String: Any]])
    var result: [String: (kind: String, dependencies: Set<String>)] = [:]
    for target in targets {
      let name = try #require(target["name"] as? String)
      let kind = try #require(target["type"] as? String)
      let entries = (target["dependencies"] as? [[String: [Any]]]) ?? []
      let names = entries.compactMap { $0.values.first?.first as? String }
      result[name] = (kind, Set(names))
    }
    return result
  }

  @Test func packageDependenciesAreThePicturesExactly() throws {
    let picture = try picture()
    let declared = try declared()
    #expect(picture.count >= 8)
    for (name, target) in declared.sorted(by: { $0.key < $1.key }) {
      // Test targets, the tests' helpers and the C shims are not in the picture.
      guard target.kind == "regular" || target.kind == "executable",
        name != "TestSupport", !name.hasPrefix("C")
      else { continue }
      let drawn = try #require(picture[name], "docs/layout.md draws no line for target \(name)")
      #expect(
        target.dependencies == drawn,
        """
        \(name): Package.swift says → \(target.dependencies.sorted().joined(separator: ", ")); \
        docs/layout.md draws → \(drawn.sorted().joined(separator: ", "))
        """)
    }
    for name in picture.keys where declared[name] == nil {
      Issue.record("docs/layout.md draws \(name), which Package.swift does not have")
    }
  }

  @Test func noSourceImportsATargetItDoesNotDependOn() throws {
    let declared = try declared()
    let ownModules = Set(declared.keys)
    func closure(of name: String) -> Set<String> {
      var seen: Set<String> = [name]
      var queue = [name]
      while let next = queue.popLast() {
        for dependency in declared[next]?.dependencies ?? [] where seen.insert(dependency).inserted
        {
          queue.append(dependency)
        }
      }
      return seen
    }
    var checked = 0
    for (name, target) in declared where target.kind != "test" && target.kind != "system-target" {
      let folder = name == "TestSupport" ? "Tests/TestSupport" : "Sources/\(name)"
      let allowed = closure(of: name)
      let files =
        FileManager.default.enumerator(atPath: "\(repository)/\(folder)")?
        .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
      for file in files {
        let text = try String(contentsOfFile: "\(repository)/\(folder)/\(file)", encoding: .utf8)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
          .enumerated()
        {
          let words = line.split(separator: " ")
          guard let position = words.firstIndex(of: "import"), position + 1 < words.count,
            words[..<position].allSatisfy({ $0.hasPrefix("@") })
          else { continue }
          let module = String(words[position + 1])
          guard ownModules.contains(module) else { continue }
          checked += 1
          #expect(
            allowed.contains(module),
            "\(folder)/\(file):\(number + 1) imports \(module), which \(name) does not depend on")
        }
      }
    }
    #expect(checked >= 10)
  }
}
