public enum Orchestrate {
  public static let version = "0.1.0"
}
