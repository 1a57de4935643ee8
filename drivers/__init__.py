"""Device drivers: one folder per device family (protocol.py codec + driver.py device)."""
