// The modules below this one, re-exported so that a user of this module sees
// one library.
@_exported import OrchestrateCore
@_exported import OrchestrateExecution
@_exported import OrchestrateRecords
