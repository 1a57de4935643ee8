"""Epson ESC/P dot-matrix receipt printers (9-pin FX/LX class and 24-pin LQ class).

``protocol`` is the sans-IO codec (command builders, column packing, text sanitizing, port
status), ``profiles`` holds the per-model numbers (pins, columns, units, graphics mode) and
``encode`` turns a ``hubd.render.program.PrintProgram`` into one ESC/P job. The device class and
its ``DRIVER`` registration come with the print job queue.
"""
