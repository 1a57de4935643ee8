"""Thin servicers: convert the request, call the core, convert the answer."""
