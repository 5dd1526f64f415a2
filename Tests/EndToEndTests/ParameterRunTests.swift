import Foundation
import OrchestrateKit
import Testing

/// The nightly ingestion as users start it: `--environment prod`,
/// `--full-refresh` by hand, yesterday's date, secrets that must not leak.
@Suite(.serialized) struct ParameterRunTests {
  static let secretToken = "tok-5b8c1e0d9f"
  static let secretPassword = "pw-e27aa41c"

  static func pipeline(_ root: TestRoot) -> String {
    root.write("secrets/dev.env", "DB_PASSWORD='\(secretPassword)'\n# comment\nexport MODE=dev\n")
    chmod("\(root.path)/secrets/dev.env", 0o600)
    root.write("secrets/prod.env", "DB_PASSWORD=\(secretPassword)\nMODE=prod\n")
    chmod("\(root.path)/secrets/prod.env", 0o644)
    return root.write(
      "pipelines/ingest.yaml",
      """
      params:
        full_refresh: {type: bool, default: false, description: Reload everything}
        sources_limit: {type: int, default: 0}
        region: {type: choice, choices: [eu, us], default: eu}
        since: {type: date, default: 2026-01-01}
        api_token: {type: string, secret: true, required: true}
      environments:
        dev: {env: {DB_URL: postgres://localhost/dev}, env_file: secrets/dev.env, max_parallel: 1}
        prod: {env: {DB_URL: postgres://db/prod}, env_file: secrets/prod.env, params: {region: us}}
      default_environment: dev
      date_offset: 1d
      tasks:
        - name: show
          run: 'echo "$FULL_REFRESH|$SOURCES_LIMIT|$REGION|$SINCE|$DB_URL|$MODE|$ENVIRONMENT|$ORCHESTRATE_ENVIRONMENT|$ORCHESTRATE_DATE" > show.out'
        - {name: full_reload, run: 'touch full.out', when: full_refresh}
        - {name: after_full, argv: [touch, '${REGION}-${ORCHESTRATE_DATE}.out'], depends_on: [full_reload]}
        - {name: eu_only, run: 'touch eu.out', when: {region: eu}}
        - {name: not_full, run: 'touch incremental.out', when: {not: full_refresh}}
        - {name: leak, run: 'echo "token=$API_TOKEN password=$DB_PASSWORD"; exit 3', depends_on: [show]}
      """)
  }

  @Test func parametersEnvironmentsAndDatesReachTasks() throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    let dev = try Orchestrate.run(
      [file, "--param", "api_token=\(Self.secretToken)", "--full-refresh", "-p", "sources_limit=7"])
    #expect(dev.exitCode == 1, "\(dev.stderr)")
    let yesterday = LogicalDate.of(start: Date(), offset: .seconds(86400))
    #expect(
      root.read("show.out")
        == "true|7|eu|2026-01-01|postgres://localhost/dev|dev|dev|dev|\(yesterday)\n")
    #expect(root.exists("full.out") && root.exists("eu.out") && !root.exists("incremental.out"))
    #expect(root.exists("eu-\(yesterday).out"))
    let record = try root.onlyRecord("ingest")
    #expect(record.environment == "dev")
    #expect(record.logicalDate == yesterday)
    #expect(record.maxParallel == 1)
    #expect(
      record.params == [
        "full_refresh": "true", "sources_limit": "7", "region": "eu", "since": "2026-01-01",
        "api_token": "***",
      ])
    #expect(record.secretNames == ["DB_PASSWORD", "MODE", "api_token"])
    #expect(record.task("not_full")?.status == .notWanted)
    #expect(record.task("not_full")?.reason == "when: {not: full_refresh} does not hold")
    #expect(record.task("leak")?.error == "token=*** password=***")

    // prod: the environment's parameter default, --no-full-refresh, --date;
    // a task skipped by when: lets its dependents run.
    for name in ["show.out", "eu.out", "full.out"] { unlink("\(root.path)/\(name)") }
    let prod = try Orchestrate.run(
      [
        file, "-e", "prod", "-p", "api_token=\(Self.secretToken)", "--no-full-refresh", "--date",
        "2026-11-29",
      ])
    #expect(prod.exitCode == 1)
    #expect(prod.stderr.contains("env_file secrets/prod.env can be read by other users"))
    #expect(
      root.read("show.out")
        == "false|0|us|2026-01-01|postgres://db/prod|prod|prod|prod|2026-11-29\n")
    #expect(!root.exists("full.out") && !root.exists("eu.out") && root.exists("incremental.out"))
    let prodRecord = try #require(try root.records("ingest").first { $0.environment == "prod" })
    #expect(prodRecord.task("full_reload")?.status == .notWanted)
    #expect(prodRecord.task("after_full")?.status == .completed)
    #expect(prodRecord.logicalDate == "2026-11-29")
    // The env file others can read, and the secret given with -p.
    #expect(prodRecord.warnings?.contains { $0.contains("chmod 600") } == true)
    #expect(
      prodRecord.warnings?.contains { $0.contains("set ORCHESTRATE_PARAM_API_TOKEN instead") }
        == true)

    // Secrets are nowhere but in the task's own log.
    for secret in [Self.secretToken, Self.secretPassword] {
      #expect(
        Self.filesHolding(secret, under: root.path).allSatisfy { $0.hasSuffix("/leak.log") },
        "\(secret) in \(Self.filesHolding(secret, under: root.path))")
    }
    let dry = try Orchestrate.run([file, "-p", "api_token=\(Self.secretToken)", "--dry-run"])
    #expect(dry.stdout.contains("api_token=***"))
    #expect(!dry.stdout.contains(Self.secretToken))
    #expect(dry.stdout.contains("not_full"))
    #expect(dry.stdout.contains("skipped: when: full_refresh does not hold"))
  }

  @Test(arguments: [
    (["--param", "api_tokn=x"], "unknown parameter 'api_tokn' (did you mean 'api_token'?)"),
    (
      ["-p", "api_token=x", "-p", "sources_limit=many"],
      "--param sources_limit: 'many' is not an int"
    ),
    (["-p", "api_token=x", "-p", "region=asia"], "'asia' is not one of: eu, us"),
    (["-p", "api_token=x", "--date", "2026-13-01"], "--date: '2026-13-01' is not a date"),
    ([String](), "missing required parameter api_token"),
    (
      ["-p", "api_token=x", "-e", "staging"],
      "unknown environment 'staging' (environments: dev, prod)"
    ),
    (
      ["-p", "api_token=x", "--full-refesh"],
      "unknown option '--full-refesh' (did you mean '--full-refresh'?)"
    ),
  ])
  func badParametersExit2AndCreateNothing(arguments: [String], message: String) throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    let result = try Orchestrate.run([file] + arguments)
    #expect(result.exitCode == 2)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(!root.exists("metrics") && !root.exists("logs"))
  }

  @Test func anArgvNamingAnUnsetVariableIsRefused() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml", "tasks:\n  - {name: a, argv: [echo, '${NOT_SET_ANYWHERE}']}\n")
    let result = try Orchestrate.run(["validate", file])
    #expect(result.exitCode == 2)
    #expect(
      result.stderr.contains("p.yaml:2: tasks[0].argv: task 'a': ${NOT_SET_ANYWHERE} is not set"),
      "\(result.stderr)")
  }

  @Test func validateChecksAnEnvironment() throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    let ok = try Orchestrate.run(["validate", file, "--environment", "prod"])
    #expect(ok.exitCode == 0, "\(ok.stderr)")
    #expect(ok.stdout.contains("required at run time: --param api_token=…"))
    #expect(ok.stdout.contains("warning: env_file secrets/prod.env can be read by other users"))
    unlink("\(root.path)/secrets/prod.env")
    let missing = try Orchestrate.run(["validate", file, "--environment", "prod"])
    #expect(missing.exitCode == 2)
    #expect(
      missing.stderr.contains("env_file secrets/prod.env: does not exist"), "\(missing.stderr)")
  }

  @Test func backfillRunsEachDateAndStopsAtTheFirstFailure() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/daily.yaml",
      """
      tasks:
        - {name: day, run: 'echo "$ORCHESTRATE_DATE" >> days; [ "$ORCHESTRATE_DATE" != 2026-11-02 ]'}
      """)
    let stopped = try Orchestrate.run([
      "backfill", file, "--from", "2026-11-01", "--to", "2026-11-03",
    ])
    #expect(stopped.exitCode == 1)
    #expect(root.read("days") == "2026-11-01\n2026-11-02\n")
    let lines = stopped.stdout.split(separator: "\n").filter { $0.hasPrefix("2026-11-0") }
    #expect(lines.count == 2, "\(stopped.stdout)")
    #expect(lines[0].hasPrefix("2026-11-01  completed  exit 0  run_"))
    #expect(lines[1].hasPrefix("2026-11-02  failed  exit 1  run_"))

    unlink("\(root.path)/days")
    let all = try Orchestrate.run(
      ["backfill", file, "--from", "2026-11-01", "--to", "2026-11-03", "--keep-going"])
    #expect(all.exitCode == 1)
    #expect(root.read("days") == "2026-11-01\n2026-11-02\n2026-11-03\n")
    let newest = try root.records("daily").sorted { $0.startedAt < $1.startedAt }.suffix(3)
    #expect(newest.map(\.logicalDate) == ["2026-11-01", "2026-11-02", "2026-11-03"])
    // status for one logical date: the two runs for 2026-11-02 both failed.
    let day = try Orchestrate.run(["status", "daily", "--date", "2026-11-02", "--root", root.path])
    #expect(day.stdout.contains("2 runs, 0 completed"), "\(day.stdout)")
    let other = try Orchestrate.run([
      "status", "daily", "--date", "2026-11-03", "--root", root.path,
    ])
    #expect(other.stdout.contains("1 runs, 1 completed"), "\(other.stdout)")
  }

  /// Files under `root` whose bytes contain `secret`.
  static func filesHolding(_ secret: String, under root: String) -> [String] {
    let needle = Data(secret.utf8)
    let enumerator = FileManager.default.enumerator(atPath: root)
    var found: [String] = []
    while let relative = enumerator?.nextObject() as? String {
      let path = "\(root)/\(relative)"
      if relative.hasPrefix("secrets/") { continue }
      if let data = FileManager.default.contents(atPath: path), data.range(of: needle) != nil {
        found.append(path)
      }
    }
    return found
  }
}
