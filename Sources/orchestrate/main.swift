import OrchestrateKit

print(Orchestrate.version)
