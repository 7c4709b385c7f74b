"""reader: the best way to read news in a terminal."""

__version__ = "0.1.0"
