import FoundationEssentials

/// The pipelines a root knows of: those with records under `metrics/` and
/// those with a file in `pipelines/`, so that a typo gets a suggestion
/// rather than an empty report.
public enum KnownPipelines {
  /// nil when `name` is known; else the one-line message saying so.
  public static func unknown(_ name: String, layout: RootLayout) -> String? {
    let recorded = layout.pipelinesWithRecords()
    let files = PipelineLocator.available(in: "\(layout.root)/pipelines").map {
      PathName.droppingExtension($0)
    }
    let known = Set(recorded + files)
    if known.contains(name) { return nil }
    if let guess = closestMatch(to: name, in: known) {
      return "no pipeline '\(name)' (did you mean '\(guess)'?)"
    }
    return "no pipeline '\(name)' in \(layout.root)"
      + (known.isEmpty
        ? " (no records in metrics/, no files in pipelines/)"
        : " (found: \(known.sorted().joined(separator: ", ")))")
  }
}
