from samverkan_common.migrations import run_env
from samverkan_registry.adapters.tables import metadata

run_env(metadata)
