"""Feeds: subscriptions, refresh, OPML, and feed items turned into stories.

``parse`` turns a feed document (RSS, Atom, RDF via feedparser; JSON Feed) into
pages; ``refresh`` fetches subscriptions concurrently with conditional GET and
stores what changed; ``opml`` reads and writes subscription lists.
"""
