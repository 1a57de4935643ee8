"""Generated from protos/ by `make protos`; never edit by hand."""
