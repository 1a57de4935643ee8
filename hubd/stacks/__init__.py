"""Private instances of OS daemon stacks (NUT ``upsd`` + ``dummy-ups``...) for ``hubd --simulate`` and tests.

Each instance lives in its own directory with its own config, state path and loopback port, and
its processes are stopped by pid. Nothing here is async: callers run it in a thread if needed.
"""
