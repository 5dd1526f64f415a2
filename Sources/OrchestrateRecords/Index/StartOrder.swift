extension StatusIndex {
  /// `runs` in `startOrder`. The keys are sorted, and the digests then moved
  /// into their places by swaps: a digest holds a dozen references, and a
  /// load sorts every run of the history from the directory's order, where
  /// moving 100,000 digests about by copies retained and released each
  /// field at every step.
  package static func sortedByStart(_ runs: consuming [RunDigest]) -> [RunDigest] {
    let starts = runs.map(\.startedAt)
    // order[i]: the index in `runs` of the run that belongs at i.
    var order = Array(runs.indices)
    order.sort { first, second in
      if starts[first] != starts[second] { return starts[first] < starts[second] }
      return runs[first].runId < runs[second].runId
    }
    // Each cycle of the permutation in turn; a placed position points to itself.
    for start in order.indices where order[start] != start {
      var position = start
      while order[position] != start {
        let source = order[position]
        runs.swapAt(position, source)
        order[position] = position
        position = source
      }
      order[position] = position
    }
    return runs
  }
}
