"""kioskhub daemon: one local gRPC API for every peripheral of a kiosk PC."""

__version__ = "0.1.0"
