// The library as one module: every target of it, lowest first. The
// executables, the test helpers and the fuzz harnesses import this.
@_exported import OrchestrateCore
@_exported import OrchestrateExecution
@_exported import OrchestrateRecords
@_exported import OrchestrateStatus
