extension RunDigest {
  /// Each counter summed over the instances of its task, per task of the
  /// pipeline file, as `CounterTotal.totals` sums a record's: `extract[geo]`
  /// counts towards `extract` (task names have no brackets). What the
  /// anomaly baseline of totals and the pipeline page's totals over time
  /// are drawn from, without reading the records again.
  public var counterTotals: [String: [String: Double]] {
    var totals: [String: [String: Double]] = [:]
    for task in tasks {
      let name = task.name.firstIndex(of: "[").map { String(task.name[..<$0]) } ?? task.name
      for (counter, value) in task.metrics ?? [:] where value.isFinite {
        totals[name, default: [:]][counter, default: 0] += value
      }
    }
    return totals.compactMapValues { counters in
      let finite = counters.filter { $0.value.isFinite }
      return finite.isEmpty ? nil : finite
    }
  }
}
