"""The two SQLite databases and their migrations.

* the **cache** (``stories.sqlite3`` in the cache dir): stories with their headline
  lists (JSON, packed: ``packing``), every page's ranking entries, and a full-text
  index. Deleting it loses nothing the user made.
* the **user data** (``user.sqlite3`` in the data dir): read marks and bookmarks,
  each bookmark with its own copy of the story.

Each database records its schema version in ``PRAGMA user_version``; a migration
is a list of statements applied in one transaction. Append, never edit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from reader.base.errors import SchemaTooNew

__all__ = ["CACHE_MIGRATIONS", "USER_MIGRATIONS", "SchemaTooNew", "migrate"]

CACHE_MIGRATIONS: list[str] = [
    # 1: stories, headline lists, full-text search over title and body
    """
    CREATE TABLE stories (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL UNIQUE,
        url TEXT,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,
        site TEXT,
        section TEXT NOT NULL DEFAULT '[]',
        published TEXT,
        author TEXT,
        reactions INTEGER,
        body TEXT NOT NULL DEFAULT '',
        lists TEXT NOT NULL DEFAULT '{}',
        sort_key TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_by_date ON stories (sort_key DESC, rowid DESC);
    CREATE INDEX stories_by_site ON stories (site, sort_key DESC, rowid DESC);
    CREATE INDEX stories_by_title_key ON stories (title_key);
    CREATE INDEX stories_by_url ON stories (url) WHERE url IS NOT NULL;

    -- Where each headline of each ranking list points, for the cache-wide ranking.
    CREATE TABLE ranking_entries (
        story_rowid INTEGER NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,
        PRIMARY KEY (story_rowid, position)
    ) WITHOUT ROWID;

    -- The cache-wide ranking, kept up to date by triggers: each appearance in a
    -- ranking list adds 1 / (position + 1) to its headline's score.
    CREATE TABLE ranking_scores (
        title_key TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        score REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER ranking_entries_insert AFTER INSERT ON ranking_entries BEGIN
        INSERT INTO ranking_scores (title_key, title, score)
        VALUES (new.title_key, new.title, 1.0 / (new.position + 1))
        ON CONFLICT (title_key) DO UPDATE SET score = score + excluded.score;
    END;
    CREATE TRIGGER ranking_entries_delete AFTER DELETE ON ranking_entries BEGIN
        UPDATE ranking_scores SET score = score - 1.0 / (old.position + 1)
        WHERE title_key = old.title_key;
        DELETE FROM ranking_scores WHERE title_key = old.title_key AND score < 1e-9;
    END;

    CREATE VIRTUAL TABLE stories_fts USING fts5 (
        title, body, content='stories', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
        INSERT INTO stories_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    CREATE TRIGGER stories_delete AFTER DELETE ON stories BEGIN
        DELETE FROM ranking_entries WHERE story_rowid = old.rowid;
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
    END;
    CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, body ON stories BEGIN
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
        INSERT INTO stories_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    """,
    # 2: HTML pages and URLs keep the canonical URL beside the final one
    """
    ALTER TABLE stories ADD COLUMN canonical_url TEXT;
    CREATE INDEX stories_by_canonical_url ON stories (canonical_url)
        WHERE canonical_url IS NOT NULL;
    """,
    # 3: stories that came from a feed name it
    """
    ALTER TABLE stories ADD COLUMN feed_url TEXT;
    CREATE INDEX stories_by_feed ON stories (feed_url) WHERE feed_url IS NOT NULL;
    """,
    # 4: a leaner full-text index (no token positions: search needs words, not phrases),
    # which makes every insert cheaper
    """
    DROP TRIGGER stories_fts_insert;
    DROP TRIGGER stories_fts_update;
    DROP TRIGGER stories_delete;
    DROP TABLE stories_fts;
    CREATE VIRTUAL TABLE stories_fts USING fts5 (
        title, body, content='stories', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', detail=column
    );
    INSERT INTO stories_fts (stories_fts) VALUES ('rebuild');
    CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
        INSERT INTO stories_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    CREATE TRIGGER stories_delete AFTER DELETE ON stories BEGIN
        DELETE FROM ranking_entries WHERE story_rowid = old.rowid;
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
    END;
    CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, body ON stories BEGIN
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
        INSERT INTO stories_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    """,
    # 5: a feed item keeps its HTML; body holds its plain text (for search) and the
    # Markdown is made when the story is read, which keeps a refresh cheap
    """
    ALTER TABLE stories ADD COLUMN body_html TEXT;
    """,
    # 6: new stories enter the full-text index in one statement per transaction
    # (Store.save_pages does it before COMMIT), not a row at a time from a trigger:
    # FTS5 builds one segment from a bulk insert, at about half the cost
    """
    DROP TRIGGER stories_fts_insert;
    """,
    # 7: new stories wait in fts_pending and enter the index when it is next used
    # (Store.index_pending, which search runs first): tokenizing the text is a fifth
    # of the cost of storing a story, and nobody searches in the middle of a refresh.
    # The triggers keep the index exact for rows that are in it and leave pending
    # rows to the catch-up, which reads their latest text.
    """
    CREATE TABLE fts_pending (story_rowid INTEGER PRIMARY KEY);
    DROP TRIGGER stories_fts_update;
    DROP TRIGGER stories_delete;
    CREATE TRIGGER stories_delete AFTER DELETE ON stories BEGIN
        DELETE FROM ranking_entries WHERE story_rowid = old.rowid;
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        SELECT 'delete', old.rowid, old.title, old.body
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE story_rowid = old.rowid);
        DELETE FROM fts_pending WHERE story_rowid = old.rowid;
    END;
    CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, body ON stories
    WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE story_rowid = old.rowid) BEGIN
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
        INSERT INTO stories_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    """,
    # 8: the full-text index keeps token positions again (detail=full), which undoes 4:
    # a word typed with punctuation in it (`covid-19`, `U.S.`) is a phrase of its tokens.
    # Measured at 100,000 stories: ranked searches for common words 4x faster than with
    # detail=column, building the index no slower, the cache 17% bigger. The index is
    # rebuilt the deferred way (every story waits in fts_pending and Store.index_pending
    # reads them in, in the app's background), so opening an old cache does not wait
    # for it. The triggers of 7 name the table, not its detail, and stay as they are.
    """
    DROP TABLE stories_fts;
    CREATE VIRTUAL TABLE stories_fts USING fts5 (
        title, body, content='stories', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', detail=full
    );
    INSERT OR IGNORE INTO fts_pending (story_rowid) SELECT rowid FROM stories;
    """,
    # 9: a story's source loses its tracking parameters (utm_*, fbclid, ref...), as new
    # sources do (rows.prepare): the next refresh of the same link finds the stored story.
    # Its id stays the one it has (an update never changes an id), so its read mark and
    # bookmark stay with it. strip_tracking is the Python function every connection
    # registers (base._connect). Two stored sources that become one: the first
    # stored takes it, the other keeps its own.
    """
    UPDATE OR IGNORE stories SET source = strip_tracking(source)
    WHERE source LIKE 'http%' AND strip_tracking(source) <> source;
    """,
    # 10: what related stories and copies are found by (reader.store.analysis): each
    # story's heaviest terms as postings ordered by weight, the number of analysed
    # stories with each term, its MinHash bands, and the group of copies it belongs to
    # (story_group: the rowid of the group's fullest copy, the one the list shows; NULL
    # for a story no other site carries). Stories wait in analysis_pending, like
    # fts_pending, and every stored story is analysed the deferred way. The date index
    # carries story_group, so a grouped listing reads no row it does not show (a second,
    # partial index for it made storing a story 17% slower).
    """
    CREATE TABLE analysis_pending (story_rowid INTEGER PRIMARY KEY);
    INSERT INTO analysis_pending (story_rowid) SELECT rowid FROM stories;
    CREATE TABLE analysis_totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO analysis_totals (name, value) VALUES ('stories', 0);
    CREATE TABLE term_documents (
        term TEXT PRIMARY KEY,
        documents INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE related_postings (
        term TEXT NOT NULL,
        weight INTEGER NOT NULL,
        story_rowid INTEGER NOT NULL,
        PRIMARY KEY (term, weight, story_rowid)
    ) WITHOUT ROWID;
    CREATE INDEX related_postings_by_story ON related_postings (story_rowid);
    CREATE TABLE copy_bands (
        band INTEGER NOT NULL,
        story_rowid INTEGER NOT NULL,
        PRIMARY KEY (band, story_rowid)
    ) WITHOUT ROWID;
    CREATE INDEX copy_bands_by_story ON copy_bands (story_rowid);
    CREATE TABLE copy_signatures (story_rowid INTEGER PRIMARY KEY, signature BLOB NOT NULL);
    ALTER TABLE stories ADD COLUMN story_group INTEGER;
    CREATE INDEX stories_by_group ON stories (story_group) WHERE story_group IS NOT NULL;
    DROP INDEX stories_by_date;
    CREATE INDEX stories_by_date ON stories (sort_key DESC, rowid DESC, story_group);
    CREATE TRIGGER stories_delete_analysis AFTER DELETE ON stories BEGIN
        DELETE FROM analysis_pending WHERE story_rowid = old.rowid;
        DELETE FROM related_postings WHERE story_rowid = old.rowid;
        DELETE FROM copy_bands WHERE story_rowid = old.rowid;
        DELETE FROM copy_signatures WHERE story_rowid = old.rowid;
        UPDATE stories SET story_group = (
            SELECT g.rowid FROM stories g WHERE g.story_group = old.rowid
            ORDER BY length(g.body) DESC, g.rowid LIMIT 1
        ) WHERE story_group = old.rowid;
    END;
    CREATE TRIGGER stories_analysis_update AFTER UPDATE OF title, body ON stories BEGIN
        DELETE FROM related_postings WHERE story_rowid = old.rowid;
        DELETE FROM copy_bands WHERE story_rowid = old.rowid;
        DELETE FROM copy_signatures WHERE story_rowid = old.rowid;
        INSERT OR IGNORE INTO analysis_pending (story_rowid) VALUES (old.rowid);
    END;
    """,
    # 11: stories an [[ignore]] rule with action "hide" keeps out of sight (the killfile,
    # reader.store.hidden): stored whole, apart from the stories table, so no listing,
    # count, search or analysis ever sees them; ``rule`` is the rule that hid each, so
    # removing the rule brings its stories back.
    """
    CREATE TABLE hidden_stories (
        source TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        feed_url TEXT,
        title TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        rule TEXT NOT NULL,
        hidden_at TEXT NOT NULL,
        row TEXT NOT NULL
    );
    CREATE INDEX hidden_stories_by_feed ON hidden_stories (feed_url, rule);
    """,
    # 12: a feed's story ids in its index, so that the feed list's per-feed unread counts
    # read the index alone (the read marks are looked up by id), never the story rows
    """
    DROP INDEX stories_by_feed;
    CREATE INDEX stories_by_feed ON stories (feed_url, id) WHERE feed_url IS NOT NULL;
    """,
    # 13: a second full-text index of the newest stories alone (reader.store.search,
    # RECENT_STORIES): bm25 counts every match of a word in the index it ranks from, so
    # a common word ranked from a million stories costs 140 ms, and from the newest
    # 50,000 a few. ``recent_rows`` says which stories are in it, for the triggers to
    # keep them exact; Store.index_pending fills it (the newest first, in chunks, in
    # the background) and lets the oldest go.
    """
    CREATE VIRTUAL TABLE recent_fts USING fts5 (
        title, body, content='stories', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2', detail=full
    );
    CREATE TABLE recent_rows (story_rowid INTEGER PRIMARY KEY);
    CREATE TRIGGER recent_delete AFTER DELETE ON stories
    WHEN EXISTS (SELECT 1 FROM recent_rows WHERE story_rowid = old.rowid) BEGIN
        INSERT INTO recent_fts (recent_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
        DELETE FROM recent_rows WHERE story_rowid = old.rowid;
    END;
    CREATE TRIGGER recent_update AFTER UPDATE OF title, body ON stories
    WHEN EXISTS (SELECT 1 FROM recent_rows WHERE story_rowid = old.rowid) BEGIN
        INSERT INTO recent_fts (recent_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
        INSERT INTO recent_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    """,
    # 14: each story's body stored once, compressed (reader.store.packing): the text
    # and a feed item's HTML with zlib, a feed item's plain text with its HTML as zlib's
    # dictionary (a few dozen bytes: the text is nearly all in the HTML). The cache was
    # 2.2x newsboat's for the same feed items (bench/bench_disk.py). The full-text
    # indexes read the text through the story_text view, so they are made again over
    # it, the deferred way (every story waits in fts_pending, as in 8, and recent_fts
    # fills again); the triggers that gave them a story's old text unpack it. The
    # triggers that would fire on the rewrite of every body are dropped first, so the
    # analysis (related stories, copies) stays as it is. The space the rewrite frees is
    # reused as stories come; `VACUUM` gives it back to the disk at once.
    """
    DROP TRIGGER stories_delete;
    DROP TRIGGER stories_fts_update;
    DROP TRIGGER recent_delete;
    DROP TRIGGER recent_update;
    DROP TRIGGER stories_analysis_update;
    DROP TRIGGER stories_delete_analysis;
    DROP TABLE stories_fts;
    DROP TABLE recent_fts;
    DELETE FROM recent_rows;
    UPDATE stories SET body = pack(body, body_html), body_html = pack(body_html)
    WHERE length(body) + coalesce(length(body_html), 0) >= 64;
    CREATE VIEW story_text AS
        SELECT rowid AS story_rowid, title, unpack(body, body_html) AS body FROM stories;
    CREATE VIRTUAL TABLE stories_fts USING fts5 (
        title, body, content='story_text', content_rowid='story_rowid',
        tokenize='unicode61 remove_diacritics 2', detail=full
    );
    CREATE VIRTUAL TABLE recent_fts USING fts5 (
        title, body, content='story_text', content_rowid='story_rowid',
        tokenize='unicode61 remove_diacritics 2', detail=full
    );
    INSERT OR IGNORE INTO fts_pending (story_rowid) SELECT rowid FROM stories;
    CREATE TRIGGER stories_delete AFTER DELETE ON stories BEGIN
        DELETE FROM ranking_entries WHERE story_rowid = old.rowid;
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        SELECT 'delete', old.rowid, old.title, unpack(old.body, old.body_html)
        WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE story_rowid = old.rowid);
        DELETE FROM fts_pending WHERE story_rowid = old.rowid;
    END;
    CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, body ON stories
    WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE story_rowid = old.rowid) BEGIN
        INSERT INTO stories_fts (stories_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, unpack(old.body, old.body_html));
        INSERT INTO stories_fts (rowid, title, body)
        VALUES (new.rowid, new.title, unpack(new.body, new.body_html));
    END;
    CREATE TRIGGER recent_delete AFTER DELETE ON stories
    WHEN EXISTS (SELECT 1 FROM recent_rows WHERE story_rowid = old.rowid) BEGIN
        INSERT INTO recent_fts (recent_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, unpack(old.body, old.body_html));
        DELETE FROM recent_rows WHERE story_rowid = old.rowid;
    END;
    CREATE TRIGGER recent_update AFTER UPDATE OF title, body ON stories
    WHEN EXISTS (SELECT 1 FROM recent_rows WHERE story_rowid = old.rowid) BEGIN
        INSERT INTO recent_fts (recent_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, unpack(old.body, old.body_html));
        INSERT INTO recent_fts (rowid, title, body)
        VALUES (new.rowid, new.title, unpack(new.body, new.body_html));
    END;
    CREATE TRIGGER stories_delete_analysis AFTER DELETE ON stories BEGIN
        DELETE FROM analysis_pending WHERE story_rowid = old.rowid;
        DELETE FROM related_postings WHERE story_rowid = old.rowid;
        DELETE FROM copy_bands WHERE story_rowid = old.rowid;
        DELETE FROM copy_signatures WHERE story_rowid = old.rowid;
        UPDATE stories SET story_group = (
            SELECT g.rowid FROM stories g WHERE g.story_group = old.rowid
            ORDER BY length(unpack(g.body, g.body_html)) DESC, g.rowid LIMIT 1
        ) WHERE story_group = old.rowid;
    END;
    CREATE TRIGGER stories_analysis_update AFTER UPDATE OF title, body ON stories BEGIN
        DELETE FROM related_postings WHERE story_rowid = old.rowid;
        DELETE FROM copy_bands WHERE story_rowid = old.rowid;
        DELETE FROM copy_signatures WHERE story_rowid = old.rowid;
        INSERT OR IGNORE INTO analysis_pending (story_rowid) VALUES (old.rowid);
    END;
    """,
    # 15: the recent index keeps indexes of its words' first 3 and 4 characters
    # (prefix='3 4'): a prefix search (``gov*``) reads one list of matches instead of
    # merging those of every word it begins (on 50,000 stories: 8-9 ms instead of
    # 13-38 ms). It is made again empty and refilled in the background, the newest
    # stories first, in chunks (Store.index_pending without a limit: the app's
    # catch-up); meanwhile a search ranks from the whole index, then from what it holds
    # (reader.store.search). The triggers of 14 name the table and stay as they are;
    # it reads the text through 14's story_text view.
    """
    DROP TABLE recent_fts;
    CREATE VIRTUAL TABLE recent_fts USING fts5 (
        title, body, content='story_text', content_rowid='story_rowid',
        tokenize='unicode61 remove_diacritics 2', detail=full, prefix='3 4'
    );
    DELETE FROM recent_rows;
    """,
    # 16: related stories and the candidates for a new story's copies are found by the
    # full-text index itself ("more like this": a story's heaviest words, the newest
    # stories holding each), so the per-story postings and MinHash bands and their
    # by-story indexes go (at 10,000 BBC feed items, 27 MB of the 70 MB the cache held
    # besides the recent index: 2.15x newsboat's, 1.26x without them). Signatures keep a
    # byte of each value (b-bit MinHash: 63 bytes a story, not 252; narrow_signature is
    # reader.base.similarity.narrow, which every connection registers), copied into a
    # table of their size. A grouped story keeps its text's length (text_length), which
    # orders a story's copies when it is opened and picks a group's next head, instead
    # of unpacking every copy's body. Nothing is analysed again: the groups and the
    # document frequencies stay. At 100,000 stories it takes seconds; the space freed
    # is reused as stories come (`VACUUM` gives it back to the disk at once).
    """
    DROP TRIGGER stories_delete_analysis;
    DROP TRIGGER stories_analysis_update;
    DROP TABLE related_postings;
    DROP TABLE copy_bands;
    CREATE TABLE narrow_signatures (story_rowid INTEGER PRIMARY KEY, signature BLOB NOT NULL);
    INSERT INTO narrow_signatures (story_rowid, signature)
    SELECT story_rowid, narrow_signature(signature) FROM copy_signatures;
    DROP TABLE copy_signatures;
    ALTER TABLE narrow_signatures RENAME TO copy_signatures;
    ALTER TABLE stories ADD COLUMN text_length INTEGER;
    UPDATE stories INDEXED BY stories_by_group
    SET text_length = length(unpack(body, body_html)) WHERE story_group IS NOT NULL;
    CREATE TRIGGER stories_delete_analysis AFTER DELETE ON stories BEGIN
        DELETE FROM analysis_pending WHERE story_rowid = old.rowid;
        DELETE FROM copy_signatures WHERE story_rowid = old.rowid;
        UPDATE stories SET story_group = (
            SELECT g.rowid FROM stories g WHERE g.story_group = old.rowid
            ORDER BY g.text_length DESC, g.rowid LIMIT 1
        ) WHERE story_group = old.rowid;
    END;
    CREATE TRIGGER stories_analysis_update AFTER UPDATE OF title, body ON stories BEGIN
        DELETE FROM copy_signatures WHERE story_rowid = old.rowid;
        INSERT OR IGNORE INTO analysis_pending (story_rowid) VALUES (old.rowid);
        UPDATE stories SET text_length = length(unpack(new.body, new.body_html))
        WHERE rowid = new.rowid AND new.story_group IS NOT NULL;
    END;
    """,
    # 17: the unread stories in listing order, a narrow mirror of what the read marks
    # (in the user data) leave unread, so that the unread list walks its own rows:
    # walking the date index and looking up each story's read mark passed every read
    # story between the end and the first unread one (`G` 2.4-4.1 s at 1,000,000 stories
    # with the newest 10,000 unread). Rows are keyed like the listing (sort_key, rowid)
    # and carry story_group for the grouped listing; unread_copies counts the copies a
    # grouped count leaves out. This migration cannot read the read marks (it runs
    # before the user data is attached): Store fills the table once after ATTACH
    # (unread_mirror.filled says it has) and keeps it exact with TEMP triggers on the
    # read marks and on new stories (reader.store.base.UNREAD_TRIGGERS); the triggers
    # here follow a story deleted, or its sort key or group changed. Run again on a
    # cache that has them (a version number set back), it makes them anew, to be filled
    # again.
    """
    DROP TRIGGER IF EXISTS unread_story_delete;
    DROP TRIGGER IF EXISTS unread_story_update;
    DROP TABLE IF EXISTS unread;
    DROP TABLE IF EXISTS unread_mirror;
    CREATE TABLE unread (
        sort_key TEXT NOT NULL,
        story_rowid INTEGER NOT NULL,
        story_group INTEGER,
        PRIMARY KEY (sort_key, story_rowid)
    ) WITHOUT ROWID;
    CREATE INDEX unread_copies ON unread (story_group)
        WHERE story_group IS NOT NULL AND story_group != story_rowid;
    CREATE TABLE unread_mirror (filled INTEGER NOT NULL);
    INSERT INTO unread_mirror (filled) VALUES (0);
    CREATE TRIGGER unread_story_delete AFTER DELETE ON stories BEGIN
        DELETE FROM unread WHERE sort_key = old.sort_key AND story_rowid = old.rowid;
    END;
    CREATE TRIGGER unread_story_update AFTER UPDATE OF sort_key, story_group ON stories
    WHEN old.sort_key IS NOT new.sort_key OR old.story_group IS NOT new.story_group BEGIN
        UPDATE unread SET sort_key = new.sort_key, story_group = new.story_group
        WHERE sort_key = old.sort_key AND story_rowid = old.rowid;
    END;
    """,
    # 18: a body stored on its own may be a zstd frame (reader.store.packing), which a
    # reader before this one would fail to read: this version number makes it refuse
    # the cache instead (SchemaTooNew, "upgrade reader"). Nothing is rewritten: the
    # zlib bodies stored before are read as they are.
    """
    SELECT 1;
    """,
    # 19: a story's headline lists may be stored packed too (a zstd frame: a page's
    # lists were half its row, which then filled a 4 KB page alone); a reader before
    # this one would fail to read them, and refuses the cache instead. The lists
    # stored before are read as they are.
    """
    SELECT 1;
    """,
    # 20: each headline's score keeps how many ranking lists name it (counted by their
    # entries), as the triggers keep its score. Top stories read both by key; they had
    # summed ranking_entries for them, which has no index by title, so every top
    # stories read every entry: 5 s at 1,000,000 stories whose pages bring ranking
    # lists (8,000,000 entries), there and in the app's ranking pane.
    """
    ALTER TABLE ranking_scores ADD COLUMN lists INTEGER NOT NULL DEFAULT 0;
    INSERT INTO ranking_scores (title_key, title, score, lists)
    SELECT title_key, min(title), 0, count(*) FROM ranking_entries WHERE true
    GROUP BY title_key
    ON CONFLICT (title_key) DO UPDATE SET lists = excluded.lists;
    DROP TRIGGER ranking_entries_insert;
    CREATE TRIGGER ranking_entries_insert AFTER INSERT ON ranking_entries BEGIN
        INSERT INTO ranking_scores (title_key, title, score, lists)
        VALUES (new.title_key, new.title, 1.0 / (new.position + 1), 1)
        ON CONFLICT (title_key) DO UPDATE
        SET score = score + excluded.score, lists = lists + 1;
    END;
    DROP TRIGGER ranking_entries_delete;
    CREATE TRIGGER ranking_entries_delete AFTER DELETE ON ranking_entries BEGIN
        UPDATE ranking_scores SET score = score - 1.0 / (old.position + 1), lists = lists - 1
        WHERE title_key = old.title_key;
        DELETE FROM ranking_scores WHERE title_key = old.title_key AND lists <= 0;
    END;
    """,
]

USER_MIGRATIONS: list[str] = [
    # 1: read marks and bookmarks (a bookmark keeps its own copy of the story)
    """
    CREATE TABLE read_marks (
        story_id TEXT PRIMARY KEY,
        read_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE bookmarks (
        story_id TEXT PRIMARY KEY,
        bookmarked_at TEXT NOT NULL,
        title TEXT NOT NULL,
        site TEXT,
        section TEXT NOT NULL DEFAULT '[]',
        published TEXT,
        author TEXT,
        reactions INTEGER,
        url TEXT,
        source TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        lists TEXT NOT NULL DEFAULT '{}',
        sort_key TEXT NOT NULL
    );
    """,
    # 2: feed subscriptions (the user's, so they outlive the cache)
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_refresh TEXT,
        last_error TEXT,
        tags TEXT NOT NULL DEFAULT '[]'
    );
    """,
    # 3: a bookmarked feed item keeps its HTML, as its story does
    """
    ALTER TABLE bookmarks ADD COLUMN body_html TEXT;
    """,
    # 4: and its canonical URL
    """
    ALTER TABLE bookmarks ADD COLUMN canonical_url TEXT;
    """,
    # 5: a title the user chose (kept over the feed's own), and hidden feeds
    """
    ALTER TABLE feeds ADD COLUMN title_override TEXT;
    ALTER TABLE feeds ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    """,
    # 6: undo for the last mark change made in the app (Store.undo_last_mark): the
    # stories whose read mark or bookmark it changed, what they had before (and when a
    # read mark was made), and the bookmarks it removed, whole. Each undoable change
    # replaces the rows, in its own transaction. bookmark_undo has bookmarks' columns
    # in their order: a migration that adds one to bookmarks adds it here too.
    """
    CREATE TABLE mark_undo (
        story_id TEXT PRIMARY KEY,
        mark TEXT NOT NULL,
        was_on INTEGER NOT NULL,
        read_at TEXT
    ) WITHOUT ROWID;
    CREATE TABLE bookmark_undo AS SELECT * FROM bookmarks WHERE false;
    """,
]


INSTANT_CACHE_MIGRATIONS = frozenset({18, 19})
"""Cache migrations (by number) that rewrite nothing: a cache that only they upgrade is
not announced as taking minutes."""

Upgrading = Callable[[int, int], None]
"""Told ``(the database's version, this reader's)`` before migrations rewrite a database
made by an older reader (a big cache takes minutes, once: the caller says so first)."""


def migrate(
    conn: sqlite3.Connection,
    name: str,
    migrations: list[str],
    upgrading: Upgrading | None = None,
    instant: frozenset[int] = frozenset(),
) -> None:
    """Bring the database on ``conn`` up to date; ``name`` is for messages. ``upgrading``
    is told first, unless only migrations numbered in ``instant`` are to run."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        raise SchemaTooNew(
            f"the {name} database has schema version {version}, newer than this reader "
            f"understands ({len(migrations)}); upgrade reader"
        )
    if version == len(migrations):
        return
    if (
        upgrading is not None
        and version > 0
        and set(range(version + 1, len(migrations) + 1)) - instant
    ):
        upgrading(version, len(migrations))
    with write_transaction(conn):
        # Another process may have migrated while we waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, len(migrations)):
            for statement in _statements(migrations[number]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {len(migrations)}")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on ``conn`` (an ``isolation_level=None`` connection):
    committed, or rolled back on any exception (Ctrl+C included; one that lands after
    the commit leaves nothing to roll back)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ``;`` inside BEGIN..END)."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    return statements
