import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct ShellCommandWordsTests {
  func programs(_ text: String) -> [String] {
    ShellCommandWords.commands(in: text).filter { !$0.isDynamic }.map(\.text)
  }

  func dynamic(_ text: String) -> [String] {
    ShellCommandWords.commands(in: text).filter(\.isDynamic).map(\.text)
  }

  @Test(arguments: [
    ("psqlx -c 'select 1'", ["psqlx"]),
    ("mkdir -p out && sort -k2 a.csv | gzip > out/a.gz", ["mkdir", "sort", "gzip"]),
    ("LANG=C sort x; 2>/dev/null curl -s http://x || exit 1", ["sort", "curl"]),
    ("if test -e x; then rsync a b; else echo no; fi", ["rsync"]),
    ("for f in a b c; do gzip \"$f\"; done", ["gzip"]),
    ("cd work\n# psql in a comment\npython3 run.py --since ${SINCE}", ["python3"]),
    ("setup() { mkdir -p x; }\nsetup\nlast-step", ["mkdir", "last-step"]),
    ("function prepare { true; }\nprepare", []),
    ("(cd sub && make) > log 2>&1", ["make"]),
    ("exec nice -n 10 transform", ["nice"]),
    ("count=$(wc -l < f) && echo $count", []),
    ("cat <<EOF\nnot-a-program here\nEOF\nlater", ["cat"]),
    ("case $1 in a) nope ;; esac", []),
    ("[ -e x ] && loader", ["loader"]),
  ])
  func findsTheProgramsACommandStarts(text: String, expected: [String]) {
    #expect(programs(text) == expected, "\(text)")
  }

  @Test func wordsOnlyTheRunCanTellAreDynamic() {
    #expect(dynamic("\"$PYTHON\" job.py; ${TOOL:-gzip} -9 f") == ["$PYTHON", "${TOOL:-gzip}"])
    #expect(dynamic("./bin/*.sh") == ["./bin/*.sh"])
  }
}
