import FoundationEssentials

/// `orchestrate backfill`: one run per logical date, oldest first, one
/// after another, each a run of its own (`orchestrate run --date D`), so
/// that each has its own record, lock, signals and exit code.
public struct Backfill {
  public var binary: String
  /// The `run` command line for one date.
  public var arguments: (String) -> [String]
  public var metricsDirectory: String
  public var environment: [String: String]

  public init(
    binary: String, arguments: @escaping (String) -> [String], metricsDirectory: String,
    environment: [String: String]
  ) {
    self.binary = binary
    self.arguments = arguments
    self.metricsDirectory = metricsDirectory
    self.environment = environment
  }

  public struct Outcome: Sendable {
    public var date: String
    public var exitCode: Int32
    /// The run's record, when it wrote one.
    public var record: RunRecord?
  }

  /// Runs `date`; its output goes to `output`.
  public func run(date: String, output: Int32) -> Outcome {
    let arguments = [binary] + self.arguments(date)
    let before = recordNames()
    let status: TerminationStatus
    do {
      status = try ChildProcess.runToEnd(
        ProcessSpec(
          executable: binary, arguments: arguments,
          environment: ProcessEnvironment(shared: SharedEnvironment(environment)),
          workingDirectory: nil, outputDescriptor: output))
    } catch {
      return Outcome(date: date, exitCode: 2, record: nil)
    }
    let code: Int32 =
      switch status {
      case .exited(let code): code
      case .signaled(let signal): 128 + signal
      }
    let record = recordNames().subtracting(before).sorted().lazy.compactMap {
      RecordCoding.readRecord(at: "\(self.metricsDirectory)/\($0)")
    }.last { $0.logicalDate == date }
    return Outcome(date: date, exitCode: code, record: record)
  }

  private func recordNames() -> Set<String> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: metricsDirectory)) ?? []
    return Set(names.filter { $0.hasPrefix("run_") && $0.hasSuffix(".json") })
  }
}
