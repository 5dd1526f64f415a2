import Glibc

/// `SIGTERM` for 15: how every message names a signal.
public enum SignalName {
  public static func of(_ signal: Int32) -> String {
    let names: [Int32: String] = [
      SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
      SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
      SIGPIPE: "SIGPIPE",
      SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
      SIGSTOP: "SIGSTOP", SIGCONT: "SIGCONT", SIGTSTP: "SIGTSTP",
    ]
    return names[signal] ?? "signal \(signal)"
  }
}
