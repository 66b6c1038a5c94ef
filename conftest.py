"""Root of every test run: eventlet's monkey patch must come before anything else.

nameko runs services on eventlet; its pytest plugin no longer patches by
itself, so it is done here, once, as STACK-NOTES recommends.
"""

import os
import warnings

# The browser tests run in a pytest of their own without it (SAMVERKAN_EVENTLET=0, see scripts/test.sh):
# Playwright's driver does not stop under eventlet.
EVENTLET = os.environ.get("SAMVERKAN_EVENTLET", "1") == "1"
collect_ignore_glob = ["tests/browser/*"] if EVENTLET else []

if EVENTLET:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet's own deprecation notice, printed on import
        import eventlet

    eventlet.monkey_patch()
