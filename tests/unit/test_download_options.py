"""How the downloads (the board pack, the workbook) read their options, on HTTP and on
the command line alike (`accord.web.uploads.read_download_options`): a bare date is that
whole day in ACCORD_TIMEZONE, whatever the clocks did that day; a wrong option is refused
naming it, in the caller's spelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accord.web.uploads import DownloadArgumentError, read_download_options

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
LONDON = "Europe/London"
CLI = {
    "asOf": "--as-of",
    "knownAt": "--known-at",
    "since": "--since",
    "windowDays": "--window-days",
}


@pytest.mark.parametrize(
    ("zone", "day", "end", "start"),
    [
        # summer in London: the day is 23:00 UTC the day before to 22:59:59.999999
        (LONDON, "2025-06-30", "2025-06-30T22:59:59.999999", "2025-06-29T23:00:00"),
        (LONDON, "2025-12-31", "2025-12-31T23:59:59.999999", "2025-12-31T00:00:00"),
        # the day the clocks go forward: 23 hours long
        (LONDON, "2025-03-30", "2025-03-30T22:59:59.999999", "2025-03-30T00:00:00"),
        ("America/Los_Angeles", "2025-06-30", "2025-07-01T06:59:59.999999", "2025-06-30T07:00:00"),
        ("UTC", "2025-06-30", "2025-06-30T23:59:59.999999", "2025-06-30T00:00:00"),
    ],
)
def test_a_bare_date_is_that_whole_day_in_the_zone(
    zone: str, day: str, end: str, start: str
) -> None:
    options = read_download_options({"asOf": day, "knownAt": day, "since": day}, zone=zone, now=NOW)
    assert options.as_of == options.known_at == datetime.fromisoformat(end).replace(tzinfo=UTC)
    assert options.since == datetime.fromisoformat(start).replace(tzinfo=UTC)


def test_left_out_as_of_is_now_and_known_at_and_since_are_not_given() -> None:
    options = read_download_options({}, zone=LONDON, now=NOW)
    assert (options.as_of, options.known_at, options.since, options.window_days) == (
        NOW,
        None,
        None,
        365,
    )
    offset = read_download_options({"asOf": "2025-06-30T12:00:00+02:00"}, zone=LONDON, now=NOW)
    assert offset.as_of == datetime(2025, 6, 30, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"windowDays": "999999999"},
            "--window-days: must be a whole number of days from 1 to 36,500 (got '999999999')",
        ),
        ({"windowDays": "0"}, "--window-days: must be a whole number of days from 1 to 36,500"),
        ({"windowDays": "1e3"}, "--window-days: must be a whole number of days"),
        (
            {"asOf": "0001-01-01"},
            "--as-of: '0001-01-01' is out of range: give a moment from "
            "1900-01-01 to before 9999-01-01",
        ),
        ({"asOf": "9999-12-31"}, "--as-of: '9999-12-31' is out of range"),
        (
            {"knownAt": "0001-01-01T00:00:00+01:00"},
            "--known-at: '0001-01-01T00:00:00+01:00' is out of range",
        ),
        (
            {"asOf": "soon"},
            "--as-of: 'soon' is not an ISO-8601 date-time with an offset or a bare date",
        ),
        ({"since": "yesterday"}, "--since: 'yesterday' is not an ISO-8601 date-time"),
        ({"asOf": "2025-06-30", "since": "2025-07-01"}, "--since: must not be after --as-of"),
    ],
)
def test_a_wrong_option_is_refused_naming_it(given: dict[str, str], message: str) -> None:
    with pytest.raises(DownloadArgumentError) as refused:
        read_download_options(given, zone=LONDON, now=NOW, names=CLI)
    assert str(refused.value).startswith(message)
    assert refused.value.field == message.split(":")[0]


def test_the_bounds_are_taken() -> None:
    low = read_download_options({"asOf": "1900-01-01", "windowDays": "36500"}, zone="UTC", now=NOW)
    assert low.window_days == 36_500
    high = read_download_options({"asOf": "9998-12-31", "windowDays": "1"}, zone="UTC", now=NOW)
    assert high.as_of == datetime(9999, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
    same_day = read_download_options(
        {"asOf": "2025-06-30", "since": "2025-06-30"}, zone=LONDON, now=NOW
    )
    assert same_day.since is not None and same_day.since < same_day.as_of


def test_options_a_download_does_not_take_are_not_read() -> None:
    options = read_download_options(
        {"asOf": "2025-06-30", "since": "not read"},
        zone=LONDON,
        now=NOW,
        names={"asOf": "asOf", "knownAt": "knownAt", "windowDays": "windowDays"},
    )
    assert options.since is None
