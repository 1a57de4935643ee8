"""Registers the stack fixtures for tests under tests/stacks/."""

from tests.stacks.nut import nut_stack, shared_nut_stack

__all__ = ["nut_stack", "shared_nut_stack"]
from tests.stacks.cups import cups_stack  # noqa: E402,F401
from tests.stacks.ippeveprinter import ippeve_stack  # noqa: E402,F401
from tests.stacks.pcscd import pcscd_stack, vpcd_card  # noqa: E402,F401
from tests.stacks.pulseaudio import pulse_stack, shared_pulse_stack  # noqa: E402,F401
from tests.stacks.sane import sane_stack  # noqa: E402,F401
