"""Fixtures that start real OS daemons (NUT, CUPS, SANE...) on private configs and free ports."""
