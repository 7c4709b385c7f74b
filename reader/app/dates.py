"""Story dates as the app shows them: in the reader's own time zone, to the minute.

Stored dates are ISO 8601 as the source gave them: with an offset (feeds, most
HTML pages) or without one (text dumps, which give the site's local time and are
shown as they are).
"""

from __future__ import annotations

from datetime import datetime


def local_time(published: str | None) -> datetime | None:
    """``published`` as a datetime, converted to local time when it has an offset;
    None for a date without a time or one that does not parse."""
    if not published or len(published) <= 10:
        return None
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return None
    return when.astimezone() if when.tzinfo is not None else when


def long_date(published: str | None) -> str:
    """``2025-06-03 09:41`` (local time), or the date as stored when it has no time."""
    when = local_time(published)
    if when is None:
        return published or ""
    return when.strftime("%Y-%m-%d %H:%M")


def short_date(published: str | None, with_year: bool) -> str:
    """``2025-06-03`` or ``06/03``, of the local date."""
    when = local_time(published)
    day = when.strftime("%Y-%m-%d") if when is not None else (published or "")[:10]
    return day if with_year else day[5:10].replace("-", "/")
