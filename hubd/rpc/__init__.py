"""The gRPC layer: thin servicers over the core, one error mapping, the server."""
