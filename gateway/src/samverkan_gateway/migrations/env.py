from samverkan_common.migrations import run_env
from samverkan_gateway.auth import metadata

run_env(metadata)
