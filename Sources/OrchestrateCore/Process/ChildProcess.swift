import CProcessSupport
import Dispatch
import FoundationEssentials
import Glibc

/// What to start: values in, a pid out. Foundation's `Process` is not used
/// because it cannot signal a process group, leaks the caller's signal mask
/// into the child and reaps the child itself, hiding its resource usage.
public struct ProcessSpec: Sendable {
  /// Absolute path of the program.
  public var executable: String
  /// Full argument vector, program name first.
  public var arguments: [String]
  public var environment: ProcessEnvironment
  public var workingDirectory: String?
  /// Receives the child's stdout, and its stderr unless `errorDescriptor` is given.
  public var outputDescriptor: Int32
  public var errorDescriptor: Int32?
  /// The child's stdin; nil for /dev/null.
  public var inputDescriptor: Int32?

  public init(
    executable: String, arguments: [String], environment: ProcessEnvironment,
    workingDirectory: String?, outputDescriptor: Int32, errorDescriptor: Int32? = nil,
    inputDescriptor: Int32? = nil
  ) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.outputDescriptor = outputDescriptor
    self.errorDescriptor = errorDescriptor
    self.inputDescriptor = inputDescriptor
  }
}

public enum TerminationStatus: Sendable, Equatable {
  case exited(Int32)
  case signaled(Int32)
}

public struct ResourceUsage: Sendable, Equatable {
  public var peakRSSBytes: Int
  public var userSeconds: Double
  public var systemSeconds: Double
  /// Storage bytes read and written (wait4's `ru_inblock` and `ru_oublock`,
  /// counted in 512-byte units); nil where the executor cannot tell.
  public var readBytes: Int?
  public var writeBytes: Int?

  package init(
    peakRSSBytes: Int, userSeconds: Double, systemSeconds: Double, readBytes: Int? = nil,
    writeBytes: Int? = nil
  ) {
    self.peakRSSBytes = peakRSSBytes
    self.userSeconds = userSeconds
    self.systemSeconds = systemSeconds
    self.readBytes = readBytes
    self.writeBytes = writeBytes
  }
}

public struct SpawnError: Error, CustomStringConvertible {
  public var description: String
}

/// Starting, waiting for and signalling child processes. Each child leads a
/// process group of its own, so one signal reaches everything it started.
public enum ChildProcess {
  /// Starts `spec` in a new process group with default signal dispositions,
  /// an empty signal mask and no inherited descriptor besides its three.
  public static func spawn(_ spec: ProcessSpec) throws(SpawnError) -> pid_t {
    _ = exitsReported
    var reset = signalsToReset
    let argv = CStringArray(spec.arguments)
    var error: Int32 = 0
    let pid = spec.environment.withEnvp { envp in
      orchestrate_spawn(
        spec.executable, argv.pointers, envp, spec.inputDescriptor ?? -1, spec.outputDescriptor,
        spec.errorDescriptor ?? -1, spec.workingDirectory, &reset, &error)
    }
    guard error == 0 else {
      // It exited before exec: reaped like any other child, result unused.
      if pid > 0 { _ = ChildReaper.shared.watch(pid) { _, _ in } }
      throw SpawnError(
        description: "cannot start \(spec.executable): \(String(cString: strerror(error)))")
    }
    return pid
  }

  /// Starts `spec` and waits for it to end.
  public static func runToEnd(_ spec: ProcessSpec) throws(SpawnError) -> TerminationStatus {
    let pid = try spawn(spec)
    let done = DispatchSemaphore(value: 0)
    let result = Ended()
    let early = ChildReaper.shared.watch(pid) { status, _ in
      result.status = status
      done.signal()
    }
    if let (status, _) = early { return status }
    done.wait()
    return result.status!
  }

  private final class Ended: @unchecked Sendable {
    var status: TerminationStatus?
  }

  /// Tasks are reaped with `wait4`. SIGCHLD ignored (a disposition a parent
  /// can pass on) would have the kernel reap them unseen and the run wait
  /// forever, so it is set back to its default before the first spawn.
  private static let exitsReported: Void = { signal(SIGCHLD, SIG_DFL) }()

  /// Blocks until any child exits and reaps it, with the kernel's exact
  /// account of its resources (children it waited for included).
  package static func waitForAnyExit() -> (pid_t, TerminationStatus, ResourceUsage) {
    var status: Int32 = 0
    var usage = rusage()
    var pid: pid_t
    repeat { pid = wait4(-1, &status, 0, &usage) } while pid < 0 && errno == EINTR
    let termination: TerminationStatus =
      (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    return (
      pid, termination,
      ResourceUsage(
        peakRSSBytes: Int(usage.ru_maxrss) * 1024,
        userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
        systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
        readBytes: Int(usage.ru_inblock) * 512, writeBytes: Int(usage.ru_oublock) * 512)
    )
  }

  /// The signals a task must have set back to their default: those this
  /// process catches or ignores (the signal trap's, SIGPIPE, any our own
  /// parent left ignored), read at the first spawn, when the signal trap is
  /// in place; nothing changes them afterwards. Caught ones must be reset
  /// before the child unblocks signals, as it shares our memory until exec;
  /// ignored ones would otherwise stay ignored in the task.
  static let signalsToReset = nonDefaultSignals()

  static func nonDefaultSignals() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    for number in 1..<Int32(65) where number != SIGKILL && number != SIGSTOP {
      var action = sigaction()
      if sigaction(number, nil, &action) == 0,
        unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
          != unsafeBitCast(SIG_DFL, to: Int.self)
      {
        sigaddset(&set, number)
      }
    }
    for number in SignalTrap.handled + [SIGPIPE] { sigaddset(&set, number) }
    return set
  }

  /// Sends `signal` to every process of the group; false when none is left.
  @discardableResult
  public static func signalGroup(_ group: pid_t, _ signal: Int32) -> Bool {
    kill(-group, signal) == 0
  }

  public static func groupExists(_ group: pid_t) -> Bool {
    kill(-group, 0) == 0 || errno == EPERM
  }

  /// Live (non-zombie) members of a process group, read from /proc.
  public static func members(ofGroup group: pid_t) -> [pid_t] {
    ProcessTable.read().filter { $0.group == group }.map(\.pid)
  }
}

/// A NULL-terminated `char *[]` that lives as long as this value.
private final class CStringArray {
  let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
  private let count: Int

  init(_ strings: [String]) {
    count = strings.count
    pointers = .allocate(capacity: count + 1)
    for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
    pointers[count] = nil
  }

  deinit {
    for index in 0..<count { free(pointers[index]) }
    pointers.deallocate()
  }
}
