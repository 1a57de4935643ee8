"""``make demo``: start ``hubd --simulate`` and drive a kiosk session, one step per class.

The hub's own step (``step_10_devices``) runs first; each device class adds its step as
``ClassSpec.demo`` (a module with ``TITLE`` and ``run(session)``), run in ``demo_order``.
"""
