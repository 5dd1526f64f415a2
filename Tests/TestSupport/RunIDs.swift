import Foundation
import OrchestrateKit

extension RunID {
  /// The id of a run that started `days` days ago: fake runs are aged
  /// through their ids, as rotation and retention read them.
  public static func daysAgo(_ days: Double, pid: Int32 = 4121) -> String {
    RunID(startedAt: Date().addingTimeInterval(-days * 86400), pid: pid).text
  }
}
