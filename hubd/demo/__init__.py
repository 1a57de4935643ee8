"""``make demo``: start ``hubd --simulate`` and drive a kiosk session, one step module per class.

Each step is a module ``hubd/demo/step_NN_<name>.py`` with ``TITLE`` and ``run(session)``; the
runner runs them in name order, so a new device class adds a file instead of editing this one.
"""
