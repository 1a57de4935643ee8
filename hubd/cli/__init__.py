"""Command-line entry points: hubd (daemon) and hubctl (client)."""
