/// What started a run, as `runs` lists and filters it: a rerun is named so
/// whatever started it, since "what was rerun" is the question asked of it.
public enum RunTrigger: String, Codable, Sendable, CaseIterable {
  case scheduled, manual, rerun

  public init(_ run: RunDigest) {
    self = run.rerunOf != nil ? .rerun : run.scheduled ? .scheduled : .manual
  }
}
