"""`accord round links ROUND_ID [--csv] [--base-url URL]` as a real process, over a SQLite
file where a round was opened in-process: the unused links, one per line (or as CSV),
absolute with ACCORD_PUBLIC_URL or --base-url; a refusal for an unknown round or an actor
who is not an ADMIN; nothing but a note once the round has closed."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from accord.runtime import Runtime
from tests.support.processes import run_accord

GOOD = {"reliability": "4", "openness": "3", "respect": "5", "sharedOwnership": "2"}


@dataclass
class Opened:
    database: str
    partnership_id: str
    round_id: str
    links: list[tuple[str, str]]  # (partner id, /check-in/<token>), sorted

    def links_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_accord("round", "links", self.round_id, "--database", self.database, *args)


def _runtime(database: str) -> Runtime:
    return Runtime.open(database, project=False)


@pytest.fixture
def opened(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Opened]:
    """A partnership formed by ann (its ADMIN) with vic a VIEWER, and a round asking 3
    people of nhs and 2 of council, opened in this process."""
    monkeypatch.delenv("ACCORD_PUBLIC_URL", raising=False)
    monkeypatch.delenv("ACCORD_SMTP_URL", raising=False)
    monkeypatch.delenv("ACCORD_ACTOR", raising=False)
    runtime = _runtime(sqlite_url)
    try:
        app = runtime.app
        formed = app.execute("formPartnership", {"name": "North", "purpose": "Care"}, actor="ann")
        pid = str(formed.partnership_id)
        for partner in ("nhs", "council"):
            app.execute(
                "joinPartner",
                {"partnershipId": pid, "partnerId": partner, "name": partner, "sector": "OTHER"},
                actor="ann",
            )
        app.execute(
            "grantRole", {"partnershipId": pid, "actor": "vic", "role": "VIEWER"}, actor="ann"
        )
        result = runtime.rounds.open(
            {
                "partnershipId": pid,
                "closesAt": (datetime.now(UTC) + timedelta(days=14)).isoformat(),
                "invitations": [
                    {"partnerId": "nhs", "count": 3},
                    {"partnerId": "council", "count": 2},
                ],
            },
            actor="ann",
            enforce_access=True,
            names={},
            partnership_name="North",
        )
        links = sorted((link.partner_id, link.path) for link in result.links)
    finally:
        runtime.close()
    yield Opened(sqlite_url, pid, result.round_id, links)


def printed(out: str) -> list[tuple[str, str]]:
    lines = out.splitlines()
    assert all(line.count("\t") == 1 for line in lines), out
    return sorted((partner, url) for partner, url in (line.split("\t") for line in lines))


def test_it_prints_each_unused_link_as_partner_tab_path(opened: Opened) -> None:
    result = opened.links_cli("--actor", "ann")
    assert result.returncode == 0, result.stderr
    assert printed(result.stdout) == opened.links
    assert [p for p, _ in opened.links] == ["council"] * 2 + ["nhs"] * 3
    assert len({path for _, path in opened.links}) == 5
    assert "ACCORD_PUBLIC_URL" in result.stderr and "--base-url" in result.stderr


def test_links_are_absolute_with_accord_public_url_or_base_url(
    opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_ACTOR", "ann")
    monkeypatch.setenv("ACCORD_PUBLIC_URL", "https://accord.example.org/")
    result = opened.links_cli()
    assert result.returncode == 0, result.stderr
    assert printed(result.stdout) == [
        (p, "https://accord.example.org" + path) for p, path in opened.links
    ]
    assert result.stderr == ""
    given = opened.links_cli("--base-url", "http://10.0.0.7:8000")
    assert given.returncode == 0, given.stderr
    assert printed(given.stdout) == [(p, "http://10.0.0.7:8000" + path) for p, path in opened.links]


def test_csv_has_the_header_partner_link(opened: Opened) -> None:
    result = opened.links_cli("--csv", "--actor", "ann", "--base-url", "https://a.example")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["partner", "link"]
    assert sorted((p, link) for p, link in rows[1:]) == [
        (p, "https://a.example" + path) for p, path in opened.links
    ]


def test_a_used_link_is_not_listed_and_a_listed_link_works(opened: Opened) -> None:
    used = opened.links[0][1]
    runtime = _runtime(opened.database)
    try:
        runtime.rounds.answer(used.rsplit("/", 1)[1], GOOD)
    finally:
        runtime.close()
    result = opened.links_cli("--actor", "ann")
    assert result.returncode == 0, result.stderr
    listed = printed(result.stdout)
    assert listed == opened.links[1:]
    runtime = _runtime(opened.database)
    try:
        page = runtime.rounds.page(listed[0][1].rsplit("/", 1)[1])
    finally:
        runtime.close()
    assert page.round_id == opened.round_id and page.partner_id == listed[0][0]


def test_an_unknown_round_or_an_actor_who_is_not_an_admin_is_refused(opened: Opened) -> None:
    unknown = run_accord(
        "round", "links", "round-nosuchround", "--database", opened.database, "--actor", "ann"
    )
    assert unknown.returncode == 1
    assert unknown.stdout == ""
    assert "no check-in round 'round-nosuchround'" in unknown.stderr
    stranger = opened.links_cli("--actor", "bob")  # no role: as if there were no round
    assert stranger.returncode == 1 and stranger.stdout == ""
    assert f"no check-in round '{opened.round_id}'" in stranger.stderr
    viewer = opened.links_cli("--actor", "vic")
    assert viewer.returncode == 1 and viewer.stdout == ""
    assert "only an ADMIN" in viewer.stderr and opened.round_id in viewer.stderr


def test_after_the_close_nothing_is_printed_but_a_note(opened: Opened) -> None:
    runtime = _runtime(opened.database)
    try:
        runtime.rounds.close(
            {"partnershipId": opened.partnership_id, "roundId": opened.round_id},
            actor="ann",
            enforce_access=True,
        )
    finally:
        runtime.close()
    result = opened.links_cli("--actor", "ann", "--csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"check-in round '{opened.round_id}' has closed" in result.stderr
