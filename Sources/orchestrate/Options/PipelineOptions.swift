import ArgumentParser
import FoundationEssentials
import OrchestrateKit

/// How every pipeline command names its pipeline and root directory.
struct PipelineOptions: ParsableArguments {
  @Argument(
    help: "Pipeline file, or a bare name looked up in <root>/pipelines/.",
    completion: Completions.pipeline)
  var pipeline: String

  @Option(help: "Root directory holding metrics/ and logs/.", completion: .directory)
  var root: String?

  @Option(
    name: .customLong("source"),
    help: "Only the tasks of this source, plus tasks of no source (repeatable).")
  var sources: [String] = []

  /// Locates, loads and plans the pipeline with the run's settings, or
  /// exits 2 with one line saying why. A reason that comes from the file or
  /// the machine, not from the command line, carries a `RunRefusal`, which
  /// a run records and tells.
  func plan(_ request: RunSettings.Request = .init(), tasks selection: Plan.TaskSelection? = nil)
    throws -> (Plan, PipelineLocation)
  {
    let environment = ProcessInfo.processInfo.environment
    let location: PipelineLocation
    do {
      location = try PipelineLocator.locate(pipeline, rootOption: root, environment: environment)
    } catch {
      // The file may be gone since its last run (a deploy): the run knows its channels.
      let root = PipelineLocator.root(for: pipeline, rootOption: root, environment: environment)
      throw CommandFailure(
        message: error.description, exitCode: 2,
        refusal: RunRefusal(reason: error.description, argument: pipeline, file: nil, root: root))
    }
    func refusal(_ reason: String, pipeline loaded: Pipeline? = nil, plan: Plan? = nil)
      -> RunRefusal
    {
      RunRefusal(
        reason: reason, argument: pipeline, file: location.file, root: location.root,
        pipeline: loaded, plan: plan, environmentName: request.environment)
    }
    let loaded: Pipeline
    do {
      loaded = try PipelineLoader.load(file: location.file)
    } catch {
      let message = error.all.map(\.description).joined(separator: "\norchestrate: ")
      throw CommandFailure(
        message: message, exitCode: 2,
        refusal: refusal(error.all.map(\.description).joined(separator: "; ")))
    }
    let settings: RunSettings
    do {
      var request = request
      request.inherited = environment
      settings = try RunSettings.resolve(loaded, request: request, root: location.root)
    } catch {
      throw CommandFailure(
        message: error.description, exitCode: 2,
        refusal: error.isFromMachine ? refusal(error.description, pipeline: loaded) : nil,
        isUsage: error.isUnknownOption)
    }
    let plan: Plan
    do {
      plan = try Plan(pipeline: loaded, sources: sources, settings: settings, tasks: selection)
    } catch {
      let option = if case .unknownTask = error { "--task" } else { "--source" }
      throw CommandFailure(message: "\(option): \(error)", exitCode: 2)
    }
    if let problem = plan.unsetArgvVariable(inherited: environment) ?? plan.secretInArgv() {
      throw CommandFailure(
        message: problem.description, exitCode: 2,
        refusal: refusal(problem.description, plan: plan))
    }
    return (plan, location)
  }
}

/// An error already worded for the user, and the exit code it means.
struct CommandFailure: Error {
  var message: String
  var exitCode: Int32
  /// Set when the file or the machine refused the run: it is recorded and told.
  var refusal: RunRefusal? = nil
  /// A mistyped command line: said as the argument parser's errors are.
  var isUsage = false
}

extension CommandFailure {
  /// Prints the message (unless told not to) and exits; argument parser
  /// errors pass through.
  static func exitOnFailure<T>(printing: Bool = true, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let failure as CommandFailure {
      if printing {
        StandardError.write(
          failure.isUsage
            ? UsageMessage.render(failure.message, command: CommandPath.current)
            : "orchestrate: \(failure.message)\n")
      }
      throw ExitCode(failure.exitCode)
    }
  }
}
