import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct NotifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notify",
    abstract: "Check a pipeline's notify: channels.",
    subcommands: [NotifyTestCommand.self])
}

struct NotifyTestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Send a test message to each channel and print what each endpoint answered.",
    discussion: "Exit 0 when every message was delivered, 1 otherwise.")

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions
  @OptionGroup var logicalDate: LogicalDateOption

  @Option(help: "Only the channel at this index of notify: (0 is the first).")
  var channel: Int?

  func run() throws {
    let answers = try CommandFailure.exitOnFailure { () throws -> [ChannelTest.Answer] in
      let (plan, _) = try options.plan(parameters.request(date: logicalDate.date))
      do {
        return try ChannelTest.send(
          plan, channel: channel, environment: ProcessInfo.processInfo.environment)
      } catch let problem as ChannelTest.Problem {
        throw CommandFailure(message: problem.description, exitCode: 2)
      }
    }
    for answer in answers { print(answer.line) }
    if answers.contains(where: { !$0.record.delivered }) { throw ExitCode(1) }
  }
}
