"""Receipt rendering: layout, Devanagari shaping and rasterization for printers."""
