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
  /// exits 2 with one line saying why.
  func plan(_ request: RunSettings.Request = .init(), tasks selection: Plan.TaskSelection? = nil)
    throws -> (Plan, PipelineLocation)
  {
    let environment = ProcessInfo.processInfo.environment
    do {
      let location = try PipelineLocator.locate(
        pipeline, rootOption: root, environment: environment)
      let pipeline = try PipelineLoader.load(file: location.file)
      let settings: RunSettings
      do {
        var request = request
        request.inherited = environment
        settings = try RunSettings.resolve(pipeline, request: request, root: location.root)
      } catch {
        throw CommandFailure(
          message: error.description, exitCode: 2, isUsage: error.isUnknownOption)
      }
      let plan: Plan
      do {
        plan = try Plan(pipeline: pipeline, sources: sources, settings: settings, tasks: selection)
      } catch {
        let option = if case .unknownTask = error { "--task" } else { "--source" }
        throw CommandFailure(message: "\(option): \(error)", exitCode: 2)
      }
      if let problem = plan.unsetArgvVariable(inherited: environment) ?? plan.secretInArgv() {
        throw problem
      }
      return (plan, location)
    } catch let error as PipelineError {
      throw CommandFailure(message: error.description, exitCode: 2)
    }
  }
}

/// An error already worded for the user, and the exit code it means.
struct CommandFailure: Error {
  var message: String
  var exitCode: Int32
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
