"""The ground floor: plain data types, where files live, settings, text helpers.

``models`` (pages, stories, feeds, headlines), ``paths`` (the home's folders),
``config`` (config.toml), and the pure text helpers every layer uses: ``clean``
(what may reach a terminal), ``dates``, ``fragments`` (HTML fragments as text or
Markdown). Nothing here imports the rest of reader, nor anything that touches a
database, the network or a process.
"""
