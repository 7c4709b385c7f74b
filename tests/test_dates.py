"""How the app shows story dates."""

from __future__ import annotations

import time

import pytest

from reader.app.dates import long_date, short_date


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - a fixture
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_dates_with_an_offset_show_in_local_time(paris: None) -> None:
    assert long_date("2025-06-02T23:30:00+00:00") == "2025-06-03 01:30"  # CEST, a day later
    assert short_date("2025-06-02T23:30:00+00:00", with_year=False) == "06/03"
    assert short_date("2025-06-02T23:30:00+00:00", with_year=True) == "2025-06-03"


def test_dates_without_an_offset_or_time_show_as_stored(paris: None) -> None:
    assert long_date("2025-05-24 17:41:26") == "2025-05-24 17:41"
    assert long_date("2025-05-24") == "2025-05-24"
    assert short_date("2025-05-24", with_year=False) == "05/24"
    assert long_date("sometime in May") == "sometime in May"
    assert long_date(None) == "" and short_date(None, with_year=False) == ""
