/// The variables a run's channels read when they send (`url_env`,
/// `headers_env`) must be set where the run will look: in its environment
/// (under cron, little more than PATH and HOME), the pipeline's `env`, the
/// environment's `env` and `env_file`. Otherwise the failure a channel was
/// meant to report reaches nobody.
public enum NotifyVariables {
  public static func missing(_ plan: Plan, inherited: [String: String]) -> [PipelineError] {
    let pipeline = plan.pipeline
    let environmentName = plan.settings.environment
    let own = environmentName.flatMap { pipeline.environments[$0]?.notify } != nil
    let prefix = own ? "environments.\(environmentName!).notify" : "notify"
    let available = plan.sharedEnvironment(inheriting: inherited)
    var problems: [PipelineError] = []
    let channels = pipeline.notify.channels(for: environmentName, in: pipeline)
    for (index, channel) in channels.enumerated() {
      for (key, variable) in channel.kind.sender.variables
      where available[variable]?.isEmpty ?? true {
        problems.append(
          PipelineError(
            file: pipeline.file, field: "\(prefix)[\(index)].\(key)",
            message:
              "\(variable) is not set: the \(channel.kind.name) channel could tell nobody "
              + "(set it in the pipeline's env or the environment's env_file)"))
      }
    }
    return problems
  }
}
