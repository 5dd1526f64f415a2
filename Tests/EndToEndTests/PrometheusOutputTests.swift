import Foundation
import Testing

/// `status --prometheus -`: the metrics on standard output, for a pipe
/// (`| curl --data-binary @- …` to a Pushgateway) instead of a file.
@Suite struct PrometheusOutputTests {
  @Test func aDashMeansStandardOutput() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run(["p", "--root", root.path])
    let written = try Orchestrate.run(
      ["status", "--prometheus", "-", "--root", root.path], directory: root.path)
    #expect(written.exitCode == 0, "\(written.stderr)")
    #expect(written.stderr.isEmpty, "\(written.stderr)")
    #expect(
      written.stdout.contains("orchestrate_last_run_status{pipeline=\"p\",status=\"completed\"} 1"),
      "\(written.stdout)")
    #expect(written.stdout.hasPrefix("# HELP "), "the metrics alone: \(written.stdout)")
    #expect(!root.exists("-"), "no file named '-'")
  }

  @Test func aDashLeavesStandardOutputToTheMetricsAlone() throws {
    let root = TestRoot()
    for other in ["--json", "--check", "--quiet"] {
      let refused = try Orchestrate.run(
        ["status", "--prometheus", "-", other, "--root", root.path], directory: root.path)
      #expect(refused.exitCode == 2)
      #expect(refused.stdout.isEmpty)
      #expect(
        refused.stderr.contains("--prometheus - and \(other) both write to standard output"),
        "\(refused.stderr)")
    }
  }
}
