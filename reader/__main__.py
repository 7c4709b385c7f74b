"""Allow ``python -m reader``."""

from reader.cli import entry_point

raise SystemExit(entry_point())
