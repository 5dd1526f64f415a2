/// A `slurm:` mapping as written, at the top of the file (defaults for
/// every Slurm task, and settings of the run) or in a task.
struct SlurmDefinition: Decodable {
  var partition: String?
  var account: String?
  var cpus: Int?
  var memory: String?
  var time: DurationSetting?
  var extraArgs: [String]?
  var maxJobs: Int?
  var orchestratePath: String?
  var resultGrace: DurationSetting?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case partition, account, cpus, memory, time
    case extraArgs = "extra_args"
    case maxJobs = "max_jobs"
    case orchestratePath = "orchestrate_path"
    case resultGrace = "result_grace"
  }

  /// The keys that apply to the whole run, not to one task.
  static let runKeys: [CodingKeys] = [.maxJobs, .orchestratePath, .resultGrace]

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    partition = try c.decodeIfPresent(String.self, forKey: .partition)
    account = try c.decodeIfPresent(String.self, forKey: .account)
    cpus = try c.decodeIfPresent(Int.self, forKey: .cpus)
    memory = try c.decodeIfPresent(String.self, forKey: .memory)
    time = try c.decodeIfPresent(DurationSetting.self, forKey: .time)
    extraArgs = try c.decodeIfPresent([String].self, forKey: .extraArgs)
    maxJobs = try c.decodeIfPresent(Int.self, forKey: .maxJobs)
    orchestratePath = try c.decodeIfPresent(String.self, forKey: .orchestratePath)
    resultGrace = try c.decodeIfPresent(DurationSetting.self, forKey: .resultGrace)
  }
}

/// `executor:` — where tasks run.
enum ExecutorName: String, Decodable, CaseIterable {
  case local, slurm

  init(from decoder: Decoder) throws { self = try decoder.spelling(of: Self.self) }
}
