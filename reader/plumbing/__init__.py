"""The plumbing that ingest and feeds share: HTTP (``fetch``) and worker processes
(``workers``). Neither knows about pages, feeds or the store."""
