public enum OrchestrateVersion {
  public static let current = "0.1.0"
}
