"""Command-line programs: hubd (the daemon), hubctl (its client)."""

import os

# gRPC's fork handlers print "fork_posix" warnings when hubd starts simulators and stacks while
# gRPC threads run; hubd never uses gRPC in a forked child, so they are off.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
