"""Code shared by the printer drivers (no device of its own, so no ``DRIVER``).

``text`` is the sans-IO text sanitizer both the ESC/P and the ESC/POS codecs use; ``status``
builds the ``unknown`` printer status both drivers report when nothing was observed.
"""
