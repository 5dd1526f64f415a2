import Foundation
import OrchestrateKit
import Testing

/// `validate` and the start of every run check what fails at night: programs
/// on the task's PATH, shells, working directories, env files.
@Suite struct MachineCheckTests {
  func validate(_ root: TestRoot, _ file: String, _ extra: [String] = []) throws -> Invocation {
    try Orchestrate.run(["validate", file, "--root", root.path] + extra)
  }

  @Test func aProgramNotOnTheTasksPathIsRefusedWithFileLineColumnAndPath() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: load
          argv: [psql-\(root.marker), -c, "select 1"]
      """)
    let result = try validate(root, file)
    #expect(result.exitCode == 2)
    #expect(
      result.stderr
        == "orchestrate: \(file):3:12: tasks[0].argv[0]: task 'load': program 'psql-\(root.marker)' "
        + "is not on the task's PATH (PATH=/usr/bin:/bin)\n")
    #expect(result.stdout.isEmpty)
  }

  @Test func aRefusedRunRunsNothingAndIsRecorded() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: fine, run: touch ran.txt}
        - {name: load, argv: [psql-\(root.marker)]}
      """)
    let result = try Orchestrate.run([file, "--root", root.path])
    #expect(result.exitCode == 2)
    #expect(result.stderr.contains("program 'psql-\(root.marker)' is not on the task's PATH"))
    #expect(!root.exists("logs") && !root.exists("ran.txt"))
    #expect(try root.onlyRecord("p").status == .refused)
  }

  /// PATH as the task will see it: inherited, then the pipeline's env, the
  /// environment's env, the task's env; relative entries from its directory.
  @Test func theTasksOwnPathIsSearched() throws {
    let root = TestRoot()
    for directory in ["pipeline-bin", "env-bin", "task-bin"] {
      let tool = root.write("\(directory)/tool-\(directory)", "#!/bin/sh\necho \(directory)\n")
      chmod(tool, 0o755)
    }
    let file = root.write(
      "p.yaml",
      """
      env: {PATH: "\(root.path)/pipeline-bin:/usr/bin:/bin"}
      environments:
        dev: {env: {PATH: "\(root.path)/env-bin:/usr/bin:/bin"}}
      tasks:
        - {name: a, argv: [tool-env-bin]}
        - {name: b, argv: [tool-task-bin], env: {PATH: "task-bin:/bin"}}
      """)
    let withoutEnvironment = try validate(root, file)
    #expect(withoutEnvironment.exitCode == 2)
    #expect(
      withoutEnvironment.stderr.contains(
        "program 'tool-env-bin' is not on the task's PATH (PATH=\(root.path)/pipeline-bin:/usr/bin:/bin)"
      ),
      "\(withoutEnvironment.stderr)")
    let inDev = try validate(root, file, ["-e", "dev"])
    #expect(inDev.exitCode == 0, "\(inDev.stderr)")
    let run = try Orchestrate.run([file, "--root", root.path, "-e", "dev"])
    #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
  }

  @Test func argvVariablesAreExpandedBeforeTheLookup() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      params: {tool: {type: string, default: "sh"}}
      tasks:
        - {name: a, argv: ["${TOOL}", -c, "true"]}
      """)
    #expect(try validate(root, file).exitCode == 0)
    let missing = try validate(root, file, ["-p", "tool=nothing-\(root.marker)"])
    #expect(missing.exitCode == 2)
    #expect(missing.stderr.contains("program 'nothing-\(root.marker)' is not on the task's PATH"))
  }

  @Test func shellsPathsAndDirectoriesAreChecked() throws {
    let root = TestRoot()
    root.write("not-executable.sh", "#!/bin/sh\n")
    root.write("a-file", "")
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: zsh, run: echo, shell: zsh-\(root.marker)}
        - {name: script, argv: [./not-executable.sh]}
        - {name: nowhere, run: echo, working_directory: nowhere}
        - {name: file, run: echo, working_directory: a-file}
        - {name: fine, argv: [/bin/echo], shell: null}
      """)
    let result = try validate(root, file)
    #expect(result.exitCode == 2)
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(
      lines == [
        "orchestrate: \(file):2:35: tasks[0].shell: task 'zsh': shell 'zsh-\(root.marker)' is not on the task's PATH (PATH=/usr/bin:/bin)",
        "orchestrate: \(file):3:27: tasks[1].argv[0]: task 'script': program ./not-executable.sh is not an executable file (\(root.path)/./not-executable.sh)",
        "orchestrate: \(file):4:51: tasks[2].working_directory: task 'nowhere': working directory nowhere does not exist (\(root.path)/nowhere)",
        "orchestrate: \(file):5:48: tasks[3].working_directory: task 'file': working directory a-file is not a directory (\(root.path)/a-file)",
      ], "\(result.stderr)")
  }

  /// A directory an earlier task creates is a warning: printed by validate,
  /// an error with --strict, and kept in the run's record.
  @Test func aDirectoryAnEarlierTaskCreatesIsAWarning() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: prepare, run: mkdir -p out/today}
        - {name: load, run: pwd > here.txt, working_directory: out/today, depends_on: [prepare]}
      """)
    let warning =
      "\(file):3:58: tasks[1].working_directory: task 'load': working directory out/today does not "
      + "exist yet (\(root.path)/out/today); task 'prepare', which runs before it, names it"
    let result = try validate(root, file)
    #expect(result.exitCode == 0)
    #expect(result.stdout == "\(file): ok, 2 task(s), 2 to run\n  warning: \(warning)\n")
    let strict = try validate(root, file, ["--strict"])
    #expect(strict.exitCode == 2)
    #expect(strict.stderr == "orchestrate: \(warning) (--strict)\n")

    let run = try Orchestrate.run([file, "--root", root.path])
    #expect(run.exitCode == 0)
    #expect(run.stderr == "orchestrate: warning: \(warning)\n")
    #expect(try root.onlyRecord("p").warnings == [warning])
    #expect(root.read("out/today/here.txt") == "\(root.path)/out/today\n")
  }

  /// Only a task that runs before it counts: one that may run at the same
  /// time does not.
  @Test func aTaskThatDoesNotRunBeforeItDoesNotCount() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: prepare, run: mkdir -p out}
        - {name: load, run: "true", working_directory: out}
      """)
    let result = try validate(root, file)
    #expect(result.exitCode == 2)
    #expect(result.stderr.contains("working directory out does not exist ("))
  }

  @Test func aVirtualenvAnEarlierTaskMakesIsAWarning() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: setup, run: python3 -m venv venv}
        - {name: a, argv: [venv/bin/tool], depends_on: [setup]}
        - {name: b, argv: [tool], env: {PATH: "venv/bin:/usr/bin"}, depends_on: [setup]}
      """)
    let result = try validate(root, file)
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains(
        "task 'a': program venv/bin/tool does not exist yet (\(root.path)/venv/bin/tool); task 'setup'"
      ))
    #expect(
      result.stdout.contains(
        "task 'b': program 'tool' is not on the task's PATH yet (PATH=venv/bin:/usr/bin); "
          + "venv/bin does not exist and task 'setup', which runs before it, names it"))
  }

  @Test func tasksThatWillNotRunAreNotCheckedAtRunTimeButByValidate() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      params: {full: {type: bool, default: false}}
      tasks:
        - {name: a, run: "true"}
        - {name: b, argv: [missing-\(root.marker)], when: full}
      """)
    #expect(try validate(root, file).exitCode == 2)
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 0)
    #expect(try Orchestrate.run([file, "--root", root.path, "--full"]).exitCode == 2)
  }

  @Test func everyEnvironmentsEnvFileIsChecked() throws {
    let root = TestRoot()
    root.write("dev.env", "A=1\n")
    chmod("\(root.path)/dev.env", 0o600)
    let file = root.write(
      "p.yaml",
      """
      environments:
        dev: {env_file: dev.env}
        prod: {env_file: prod.env}
      tasks:
        - {name: a, run: "true"}
      """)
    let result = try validate(root, file, ["-e", "dev"])
    #expect(result.exitCode == 0)
    #expect(
      result.stdout.contains(
        "  warning: \(file):3:20: environments.prod.env_file: env_file prod.env does not exist (\(root.path)/prod.env)"
      ), "\(result.stdout)")
    let prod = try validate(root, file, ["-e", "prod"])
    #expect(prod.exitCode == 2)
    #expect(prod.stderr.contains("env_file prod.env: does not exist"))
  }
}
