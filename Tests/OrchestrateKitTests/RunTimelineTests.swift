import Testing

@testable import OrchestrateStatus

/// The run page's timeline axis: five ticks that say five different times.
@Suite struct RunTimelineTests {
  func ticks(_ span: Double) -> [String] {
    (0...4).map { RunTimeline.tickLabel(span * Double($0) / 4, span: span) }
  }

  @Test(arguments: [0.002, 0.03, 0.4, 0.99, 5, 90, 7200])
  func ticksOfAnySpanDiffer(span: Double) {
    #expect(Set(ticks(span)).count == 5, "\(ticks(span))")
  }

  @Test func shortRunsAreTickedInMilliseconds() {
    #expect(ticks(0.03) == ["0 ms", "8 ms", "15 ms", "23 ms", "30 ms"])
    #expect(ticks(0.002) == ["0.0 ms", "0.5 ms", "1.0 ms", "1.5 ms", "2.0 ms"])
    #expect(ticks(90).last == ReportFormat.seconds(90))
  }
}
