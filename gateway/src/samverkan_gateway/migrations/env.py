from samverkan_common.migrations import run_env

# Imported so that their tables join the same metadata.
from samverkan_gateway import audit, people, ratelimit  # noqa: F401
from samverkan_gateway.auth import metadata

run_env(metadata)
