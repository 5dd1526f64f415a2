/// The `depends_on` graph between task definitions (before per-source fan-out,
/// which only removes edges and so cannot add a cycle).
struct DependencyGraph {
  private let names: [String]
  private let edges: [[Int]]

  init(tasks: [PipelineTask]) {
    names = tasks.map(\.name)
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    edges = tasks.map { $0.dependsOn.compactMap { index[$0] } }
  }

  /// One cycle as task names, first name repeated at the end; nil when acyclic.
  /// Iterative depth-first search, so deep chains cannot overflow the stack.
  func cycle() -> [String]? {
    enum Mark { case unvisited, onPath, done }
    var marks = Array(repeating: Mark.unvisited, count: names.count)
    for start in names.indices where marks[start] == .unvisited {
      var path: [(node: Int, next: Int)] = [(start, 0)]
      marks[start] = .onPath
      while let (node, next) = path.last {
        guard next < edges[node].count else {
          marks[node] = .done
          path.removeLast()
          continue
        }
        path[path.count - 1].next += 1
        let target = edges[node][next]
        switch marks[target] {
        case .onPath:
          let members = path.map(\.node).drop { $0 != target }
          return (members + [target]).map { names[$0] }
        case .unvisited:
          marks[target] = .onPath
          path.append((target, 0))
        case .done:
          break
        }
      }
    }
    return nil
  }
}
