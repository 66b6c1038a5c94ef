"""Root of every test run: eventlet's monkey patch must come before anything else.

nameko runs services on eventlet; its pytest plugin no longer patches by
itself, so it is done here, once, as STACK-NOTES recommends.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # eventlet's own deprecation notice, printed on import
    import eventlet

eventlet.monkey_patch()
