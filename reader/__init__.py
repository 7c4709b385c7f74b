"""reader: the best way to read news in a terminal."""

import logging

__version__ = "0.1.0"

# What reader swallows and carries on from is logged under "reader" ("reader.ingest...",
# "reader.app", ...); silent unless the program running reader configures logging.
logging.getLogger("reader").addHandler(logging.NullHandler())
