from samverkan_advisor.adapters.tables import metadata
from samverkan_common.migrations import run_env

run_env(metadata)
