import Testing

@testable import OrchestrateStatus

@Suite struct PlanTests {
  let omics = """
    sources: [sra, biosample, geo]
    tasks:
      - {name: prepare, run: x}
      - {name: extract, run: x, for_each_source: true, depends_on: [prepare]}
      - {name: clean, run: x, for_each_source: true, depends_on: [extract]}
      - {name: geo_only, run: x, source: geo, depends_on: [extract]}
      - {name: transform, run: x, depends_on: [clean]}
    """

  func names(_ plan: Plan, dependenciesOf name: String) -> [String] {
    let step = plan.steps.first { $0.name == name }!
    return step.dependencies.map { plan.steps[$0].name }
  }

  @Test func fansOutPerSourceInFileOrder() throws {
    let plan = try Plan(pipeline: parse(omics))
    #expect(
      plan.steps.map(\.name) == [
        "prepare", "extract[sra]", "extract[biosample]", "extract[geo]", "clean[sra]",
        "clean[biosample]", "clean[geo]", "geo_only", "transform",
      ])
    #expect(plan.steps[1].source == "sra")
    #expect(plan.steps[0].source == nil)
  }

  @Test func perSourceStepsWaitOnlyForTheirOwnSource() throws {
    let plan = try Plan(pipeline: parse(omics))
    #expect(names(plan, dependenciesOf: "extract[geo]") == ["prepare"])
    #expect(names(plan, dependenciesOf: "clean[geo]") == ["extract[geo]"])
    #expect(names(plan, dependenciesOf: "geo_only") == ["extract[geo]"])
    #expect(
      names(plan, dependenciesOf: "transform") == ["clean[sra]", "clean[biosample]", "clean[geo]"])
  }

  @Test func sourceFilterKeepsSourcelessTasksAndDropsOtherEdges() throws {
    let plan = try Plan(pipeline: parse(omics), sources: ["geo"])
    #expect(
      plan.steps.map(\.name) == ["prepare", "extract[geo]", "clean[geo]", "geo_only", "transform"])
    #expect(names(plan, dependenciesOf: "transform") == ["clean[geo]"])
    #expect(plan.sourceFilter == ["geo"])
  }

  @Test func singleSourceTaskIsDroppedWhenItsSourceIsNotSelected() throws {
    let plan = try Plan(pipeline: parse(omics), sources: ["sra"])
    #expect(!plan.steps.contains { $0.name == "geo_only" })
  }

  @Test func unknownSourceIsAnError() throws {
    #expect(throws: Plan.Problem.unknownSource("ena", known: ["sra", "biosample", "geo"])) {
      try Plan(pipeline: parse(omics), sources: ["ena"])
    }
  }

  /// A per-source task's instances are far from a typo of its name, so
  /// the task itself is among the guesses.
  @Test func aMistypedTaskNamesTheClosestTaskOrInstance() throws {
    let selected = { (name: String) in Plan.TaskSelection(names: [name]) }
    #expect(throws: Plan.Problem.unknownTask("extrat", guess: "extract")) {
      try Plan(pipeline: parse(omics), tasks: selected("extrat"))
    }
    #expect(throws: Plan.Problem.unknownTask("extract[gao]", guess: "extract[geo]")) {
      try Plan(pipeline: parse(omics), tasks: selected("extract[gao]"))
    }
    #expect(throws: Plan.Problem.unknownTask("unrelated", guess: nil)) {
      try Plan(pipeline: parse(omics), tasks: selected("unrelated"))
    }
  }

  @Test func dependenciesMayPointForwardInTheFile() throws {
    let plan = try Plan(
      pipeline: parse("tasks: [{name: b, run: x, depends_on: [a]}, {name: a, run: x}]"))
    #expect(plan.steps[0].dependencies == [1])
  }

  @Test func longChainsPlanWithoutDeepRecursion() throws {
    var text = "tasks:\n  - {name: t0, run: x}\n"
    for index in 1..<5000 { text += "  - {name: t\(index), run: x, depends_on: [t\(index - 1)]}\n" }
    let plan = try Plan(pipeline: parse(text))
    #expect(plan.steps.count == 5000)
    #expect(plan.steps[4999].dependencies == [4998])
  }
}
