/// Everything `validate` checks on this machine for a plan, given the
/// environment a run would inherit: the tasks' programs and directories
/// (`Preflight`) and the channels' variables (`NotifyVariables`).
public enum MachineCheck {
  public static func run(_ plan: Plan, root: String, inherited: [String: String]) -> Preflight {
    var found = Preflight.check(plan, root: root, inherited: inherited, runningOnly: false)
    found.errors += NotifyVariables.missing(plan, inherited: inherited)
    return found.located()
  }
}
