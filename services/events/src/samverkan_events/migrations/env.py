from samverkan_common.migrations import run_env
from samverkan_events.adapters.tables import metadata

run_env(metadata)
