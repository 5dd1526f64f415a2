import ArgumentParser

/// The command a command line names, for the `(see … --help)` line of a
/// usage error: the subcommand words as the argument parser matches them
/// (only at the start), else `orchestrate run`, the default command, whose
/// help lists the options of a pipeline run.
enum CommandPath {
  static var current: String { of(Array(CommandLine.arguments.dropFirst())) }

  static func of(_ arguments: [String]) -> String {
    var path = [OrchestrateCommand.configuration.commandName ?? "orchestrate"]
    path += arguments.prefix(subcommandWords(arguments))
    if path.count == 1, let run = OrchestrateCommand.configuration.defaultSubcommand {
      path.append(run.configuration.commandName ?? "run")
    }
    return path.joined(separator: " ")
  }

  /// How many of the leading `arguments` name subcommands (`notify test`: 2).
  static func subcommandWords<Words: Collection<String>>(_ arguments: Words) -> Int {
    var command: ParsableCommand.Type = OrchestrateCommand.self
    var count = 0
    for word in arguments {
      guard
        let subcommand = command.configuration.subcommands.first(where: {
          $0.configuration.commandName == word
        })
      else { break }
      command = subcommand
      count += 1
    }
    return count
  }
}
