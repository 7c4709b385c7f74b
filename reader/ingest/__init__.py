"""Turning saved pages into stories: one module per source format, plus shared cleaning.

``pipeline`` walks inputs and stores pages; ``formats`` routes bytes to a parser;
``textpage`` parses the seed's text layout; ``clean``, ``decode`` and ``dates`` are
shared by every format.
"""
