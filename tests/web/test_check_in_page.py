"""The check-in answer page (issue 16) over HTTP, against a real server: the form, an
answer stored once, refusals (404, 409, 410), a form problem shown again (400, nothing
stored), the guard's limits (429, 413, 415) and headers, and the access log of a real
`accord serve`, which never holds a whole link."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from accord.application.oidc_actors import oidc_actor_id
from accord.application.rounds import ITEM_WORDING, ITEMS
from accord.runtime import Runtime
from accord.storage.accounts import SqlAccountStore
from accord.web.check_in import (
    MAX_BODY_BYTES,
    CheckInLinkFilter,
    RateLimiter,
    install_log_filter,
    shorten_links,
)
from tests.api.server import ApiServer, start_server
from tests.support.graphql_client import GraphQLClient
from tests.support.operations import Recorder
from tests.support.postgres import free_port
from tests.support.processes import AccordProcess

FORM = {"content-type": "application/x-www-form-urlencoded"}
GOOD = {"reliability": "4", "openness": "3", "respect": "5", "sharedOwnership": "2"}


@dataclass
class Round:
    partnership_id: str
    round_id: str
    links: dict[str, list[str]]  # partner id: paths /check-in/<token>

    def link(self, partner: str = "nhs", number: int = 0) -> str:
        return self.links[partner][number]


def open_round(
    runtime: Runtime, *, keep_notes: bool = True, about_partners: bool = True, actor: str = "ann"
) -> Round:
    """A partnership of three partners, and a round `actor` opened for a week asking two
    of them."""
    app = runtime.app
    formed = app.execute(
        "formPartnership", {"name": "Riverside Care", "purpose": "Joined-up care"}, actor="ann"
    )
    pid = str(formed.partnership_id)
    names = {"nhs": "Riverside NHS Trust", "council": "Riverside Council", "gp": "GP <Fed>"}
    for partner, name in names.items():
        app.execute(
            "joinPartner",
            {"partnershipId": pid, "partnerId": partner, "name": name, "sector": "OTHER"},
            actor="ann",
        )
    closes = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    opened = runtime.rounds.open(
        {
            "partnershipId": pid,
            "closesAt": closes.isoformat().replace("+00:00", "Z"),
            "minimumResponses": 3,
            "invitations": [
                {"partnerId": "nhs", "count": 3},
                {"partnerId": "council", "count": 2},
            ],
            "aboutPartners": about_partners,
            "keepNotes": keep_notes,
        },
        actor=actor,
        enforce_access=False,
        names=names,
        partnership_name="Riverside Care",
    )
    links: dict[str, list[str]] = {}
    for link in opened.links:
        links.setdefault(link.partner_id, []).append(link.path)
    return Round(pid, opened.round_id, links)


def stored_answers(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM check_in_answers").fetchone()[0])


@dataclass
class Site:
    server: ApiServer
    round: Round
    database: Path

    @property
    def http(self) -> httpx.Client:
        return self.server.client

    def answers(self) -> int:
        return stored_answers(self.database)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    database = tmp_path / "accord.db"
    server = start_server(f"sqlite:///{database}")
    try:
        yield Site(server, open_round(server.runtime), database)
    finally:
        server.stop()


def control_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|textarea)[^>]* name="([^"]+)"', html))


def assert_guarded(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in response.headers["x-robots-tag"]
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp
    assert "script-src" not in csp  # no script at all (default-src 'none')


# ----------------------------------------------------------------------- the form


def test_the_link_opens_the_answer_form(site: Site) -> None:
    page = site.http.get(site.round.link())
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert_guarded(page)
    html = page.text
    assert '<html lang="en-GB">' in html
    assert "Riverside Care" in html and "Riverside NHS Trust" in html and "ann" in html
    assert '<form method="post"' in html and "action=" not in html
    names = control_names(html)
    assert {*ITEMS, "note"} <= names
    # About each other partner (not the person's own): council and gp, escaped.
    for other in ("council", "gp"):
        assert {f"about.{other}.{item}" for item in ITEMS} <= names
    assert not any(name.startswith("about.nhs.") for name in names)
    assert "GP &lt;Fed&gt;" in html and "GP <Fed>" not in html
    for item in ITEMS:
        assert ITEM_WORDING[item] in html
    assert html.count('type="radio"') == 5 * 4 * 3
    # Every control has a label; each item is a fieldset with a legend.
    ids = re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html)
    for control in ids:
        assert f'<label for="{control}"' in html, control
    assert html.count("<fieldset") == html.count("<legend>") == 12
    assert "Strongly disagree" in html and "Strongly agree" in html
    assert "What happens to your answer" in html and "without the time you answered" in html
    assert "closes at" in html and "Europe/London" in html
    # Nothing from elsewhere, no script, no inline style.
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["../static/check-in.css"]
    css = site.http.get("/static/check-in.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_without_notes_kept_or_other_partners_the_form_is_shorter(tmp_path: Path) -> None:
    database = tmp_path / "accord.db"
    server = start_server(f"sqlite:///{database}")
    try:
        plain = open_round(server.runtime, keep_notes=False, about_partners=False)
        html = server.client.get(plain.link("council")).text
        assert control_names(html) == set(ITEMS)
        assert "records no notes" in html
    finally:
        server.stop()


ISSUER = "https://login.example.nhs.uk/tenant/v2.0"


def test_a_single_sign_on_admin_is_named_as_asking_not_by_their_actor_id(tmp_path: Path) -> None:
    """Someone signed in with single sign-on is recorded as `oidc:` and 32 hex digits,
    which would tell the people asked nothing (and look like phishing): the page gives
    the name they signed in with, or, for an id no one signed in as, says an
    administrator of the partnership asks."""
    sam = oidc_actor_id(ISSUER, "subject-of-sam")
    nobody = oidc_actor_id(ISSUER, "subject-never-seen")
    server = start_server(f"sqlite:///{tmp_path / 'accord.db'}")
    try:
        accounts = server.runtime.accounts.store
        assert isinstance(accounts, SqlAccountStore)
        accounts.remember_oidc_user(
            sam,
            ISSUER,
            "subject-of-sam",
            "Sam Jones",
            "sam.jones@example.nhs.uk",
            datetime.now(UTC),
        )
        by_sam = server.client.get(open_round(server.runtime, actor=sam).link())
        by_nobody = server.client.get(open_round(server.runtime, actor=nobody).link())
    finally:
        server.stop()
    assert by_sam.status_code == by_nobody.status_code == 200
    assert "<p>Asked by: Sam Jones.</p>" in by_sam.text
    assert "<p>Asked by: an administrator of Riverside Care.</p>" in by_nobody.text
    for page, actor in ((by_sam, sam), (by_nobody, nobody)):
        assert actor.removeprefix("oidc:") not in page.text
        assert "oidc:" not in page.text


# -------------------------------------------------------------------- answering


def test_an_answer_is_stored_once(site: Site) -> None:
    link = site.round.link()
    answer = {**GOOD, "about.council.reliability": "2", "about.council.openness": "2"}
    answer |= {"about.council.respect": "3", "about.council.sharedOwnership": "1"}
    answer["note"] = "Meetings start late <b>always</b>"
    thanks = site.http.post(link, data=answer)
    assert thanks.status_code == 200
    assert_guarded(thanks)
    assert "Thank you" in thanks.text
    assert site.answers() == 1

    again = site.http.post(link, data=GOOD)
    assert again.status_code == 409
    assert_guarded(again)
    assert "already been used" in again.text
    assert "<form" not in again.text
    assert site.answers() == 1
    shown = site.http.get(link)
    assert shown.status_code == 409 and "already been used" in shown.text

    other = site.http.post(site.round.link("council"), data=GOOD)
    assert other.status_code == 200
    assert site.answers() == 2


def test_an_unknown_link_is_404(site: Site) -> None:
    real = site.round.link()
    for path in (
        "/check-in/" + "x" * 43,
        real[:-1] + ("A" if real[-1] != "A" else "B"),
        "/check-in/short",
    ):
        shown = site.http.get(path)
        assert shown.status_code == 404, path
        assert_guarded(shown)
        assert "not one we know" in shown.text and "<form" not in shown.text
        sent = site.http.post(path, data=GOOD)
        assert sent.status_code == 404, path
    assert site.answers() == 0


def test_a_closed_rounds_link_is_410(site: Site) -> None:
    site.server.runtime.rounds.close(
        {"partnershipId": site.round.partnership_id, "roundId": site.round.round_id},
        actor="ann",
        enforce_access=False,
    )
    link = site.round.link()
    shown = site.http.get(link)
    assert shown.status_code == 410
    assert "has closed" in shown.text and "<form" not in shown.text
    sent = site.http.post(link, data=GOOD)
    assert sent.status_code == 410
    assert site.answers() == 0


def test_a_round_past_its_closing_time_is_410_before_it_is_closed(site: Site) -> None:
    rounds = site.server.runtime.rounds
    rounds._clock = lambda: datetime.now(UTC) + timedelta(days=8)
    assert site.http.get(site.round.link()).status_code == 410
    assert site.http.post(site.round.link(), data=GOOD).status_code == 410
    assert site.answers() == 0


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({**GOOD, "openness": ""}, "openness"),
        ({k: v for k, v in GOOD.items() if k != "respect"}, "respect"),
        ({**GOOD, "reliability": "6"}, "reliability"),
        ({**GOOD, "about.council.openness": "2"}, "about.council.reliability"),
        ({**GOOD, "note": "x" * 5001}, "note"),
    ],
)
def test_a_form_problem_shows_the_form_again(site: Site, form: dict[str, str], field: str) -> None:
    link = site.round.link()
    shown = site.http.post(link, data=form)
    assert shown.status_code == 400
    assert_guarded(shown)
    html = shown.text
    assert "There is a problem" in html and "<title>Error:" in html
    # The message is next to the named control, which points to it.
    controls = re.findall(rf'<(?:input|textarea)[^>]* name="{re.escape(field)}"[^>]*>', html)
    assert controls, html
    for control in controls:
        assert 'aria-invalid="true"' in control
        assert "error-message" in control  # aria-describedby
    assert html.count('aria-invalid="true"') == len(controls)
    assert 'id="error-message"' in html
    # The person's answers are kept.
    for name, value in form.items():
        if name == "note":
            assert value in html
        elif value in {"1", "2", "3", "4", "5"} and name != field:
            assert re.search(rf'name="{re.escape(name)}" value="{value}" checked', html), name
    assert site.answers() == 0
    # Nothing was stored, and the link still works.
    assert site.http.post(link, data=GOOD).status_code == 200
    assert site.answers() == 1


def test_a_question_not_on_the_form_or_given_twice_is_a_form_problem(site: Site) -> None:
    link = site.round.link()
    unknown = site.http.post(link, data={**GOOD, "about.nhs.respect": "3"})
    assert unknown.status_code == 400
    assert "is not a question of this check-in" in unknown.text
    twice = site.http.post(link, content="reliability=1&reliability=5&openness=2", headers=FORM)
    assert twice.status_code == 400
    assert "more than once" in twice.text
    not_utf8 = site.http.post(link, content=b"note=\xff\xfe", headers=FORM)
    assert not_utf8.status_code == 400
    assert site.answers() == 0


@pytest.mark.parametrize("note", ["Meetings start late", ""])
def test_without_notes_kept_a_posted_note_is_refused_and_nothing_stored(
    tmp_path: Path, note: str
) -> None:
    """The page of a round that keeps no notes has no `note` control; a `note` posted
    anyway (by a script, say) is a form problem naming it, not a note taken to be thrown
    away at the close."""
    database = tmp_path / "accord.db"
    server = start_server(f"sqlite:///{database}")
    try:
        plain = open_round(server.runtime, keep_notes=False, about_partners=False)
        link = plain.link("council")
        shown = server.client.post(link, data={**GOOD, "note": note})
        assert shown.status_code == 400
        assert_guarded(shown)
        html = shown.text
        assert "There is a problem" in html and "<title>Error:" in html
        assert "<li>Your note: is not a question of this check-in: it records no notes</li>" in (
            html
        )
        assert 'href="#note"' not in html and "<textarea" not in html
        assert control_names(html) == set(ITEMS)
        assert stored_answers(database) == 0
        # The same answer without the note is taken.
        assert server.client.post(link, data=GOOD).status_code == 200
        assert stored_answers(database) == 1
    finally:
        server.stop()


# ---------------------------------------------------------------- hostile use


def test_only_form_posts_are_taken(site: Site) -> None:
    link = site.round.link()
    as_json = site.http.post(link, json=GOOD)
    assert as_json.status_code == 415
    assert_guarded(as_json)
    multipart = site.http.post(link, files={"reliability": ("a", b"4")})
    assert multipart.status_code == 415
    no_type = site.http.post(link, content=b"reliability=4")
    assert no_type.status_code == 415
    assert site.http.put(link, data=GOOD).status_code == 405
    assert site.answers() == 0
    with_charset = {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"}
    accepted = site.http.post(link, content=httpx.QueryParams(GOOD).__str__(), headers=with_charset)
    assert accepted.status_code == 200


def test_the_longest_note_in_any_script_is_taken(site: Site) -> None:
    note = "信任" * 2500  # 5,000 characters of 3-byte UTF-8: 45,000 bytes as form data
    sent = site.http.post(site.round.link(), data={**GOOD, "note": note})
    assert sent.status_code == 200
    assert site.answers() == 1


def test_a_large_body_is_refused(site: Site) -> None:
    link = site.round.link()
    big = site.http.post(link, data={**GOOD, "note": "x" * MAX_BODY_BYTES})
    assert big.status_code == 413
    assert_guarded(big)
    assert site.answers() == 0


def test_too_many_requests_from_one_address_are_429(site: Site) -> None:
    statuses = [site.http.get(f"/check-in/{'u' * 43}").status_code for _ in range(30)]
    assert statuses == [404] * 30
    refused = site.http.get(site.round.link())
    assert refused.status_code == 429
    assert_guarded(refused)
    assert 1 <= int(refused.headers["retry-after"]) <= 2
    assert site.http.post(site.round.link(), data=GOOD).status_code == 429
    assert site.answers() == 0
    # The rest of the site is not limited.
    assert site.http.get("/healthz").status_code == 200


def test_the_rate_is_a_token_bucket_per_address() -> None:
    now = [0.0]
    limiter = RateLimiter(30, max_keys=2, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(30)] == [0.0] * 30
    assert limiter.take("a") == pytest.approx(2.0)
    assert limiter.take("b") == 0.0  # another address has its own bucket
    now[0] += 2.0  # one more request a two seconds
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0
    now[0] += 60.0
    assert [limiter.take("a") for _ in range(30)] == [0.0] * 30  # full again, not more
    assert limiter.take("a") > 0
    limiter.take("c")  # at most two addresses kept: the least recently used goes
    assert set(limiter._buckets) == {"a", "c"}


# ------------------------------------------------------------------ the log


def access_record(path: str) -> logging.LogRecord:
    """An access-log record as uvicorn's httptools/h11 protocols make one."""
    return logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "POST", path, "1.1", 200),
        None,
    )


def test_the_log_filter_keeps_only_the_start_of_a_link() -> None:
    token = "Abc123_-" + "z" * 35
    record = access_record(f"/check-in/{token}")
    assert CheckInLinkFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:50000 - "POST /check-in/Abc123… HTTP/1.1" 200'
    other = access_record("/graphql")
    CheckInLinkFilter().filter(other)
    assert other.getMessage() == '127.0.0.1:50000 - "POST /graphql HTTP/1.1" 200'
    assert shorten_links(f"see /check-in/{token}?x=1 and /check-in/{token}") == (
        "see /check-in/Abc123…?x=1 and /check-in/Abc123…"
    )
    install_log_filter()
    install_log_filter()
    filters = logging.getLogger("uvicorn.access").filters
    assert sum(isinstance(f, CheckInLinkFilter) for f in filters) == 1


OPEN_ROUND = """mutation ($input: OpenCheckInRoundInput!) { openCheckInRound(input: $input) {
  __typename
  ... on OpenCheckInRoundSuccess { links { partner { id } url } round { id } }
  ... on Error { message } } }"""


def open_round_by_api(api: GraphQLClient) -> Round:
    """The same round as `open_round`, opened through the API's `openCheckInRound`."""
    recorder = Recorder(api)
    pid = recorder.form("Riverside Care")
    for partner in ("nhs", "council", "gp"):
        recorder.record(
            "joinPartner",
            {"partnershipId": pid, "partnerId": partner, "name": partner, "sector": "OTHER"},
        )
    closes = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    given = {
        "partnershipId": pid,
        "closesAt": closes.isoformat().replace("+00:00", "Z"),
        "minimumResponses": 3,
        "invitations": [
            {"partnerId": "nhs", "count": 3, "emails": []},
            {"partnerId": "council", "count": 2, "emails": []},
        ],
        "aboutPartners": True,
        "keepNotes": True,
    }
    result = api.data(OPEN_ROUND, {"input": given})["openCheckInRound"]
    assert result["__typename"] == "OpenCheckInRoundSuccess", result
    links: dict[str, list[str]] = {}
    for link in result["links"]:
        links.setdefault(link["partner"]["id"], []).append(urlsplit(link["url"]).path)
    return Round(pid, result["round"]["id"], links)


def test_the_access_log_of_accord_serve_never_has_a_whole_link(tmp_path: Path) -> None:
    database = tmp_path / "accord.db"
    url = f"sqlite:///{database}"
    port = free_port()
    args = ["serve", "--database", url, "--port", str(port), "--no-auth"]
    server = AccordProcess("api", [*args, "--access-log"], tmp_path / "api.log", port)
    try:
        server.wait_healthy()
        opened = open_round_by_api(server)
        link = opened.link()
        used = opened.link("council")
        assert server.client.get(link).status_code == 200
        assert server.client.post(link, data=GOOD).status_code == 200
        assert server.client.post(link, data=GOOD).status_code == 409
        assert server.client.post(used, data={"reliability": "9"}).status_code == 400
        assert server.client.get(link + "?x=1").status_code == 409
        server.wait_for_log("?x=1")
        log = server.log()
    finally:
        server.stop()
    for path in (link, used):
        token = path.removeprefix("/check-in/")
        assert token not in log
        assert token[:7] not in log  # only the first six characters
        assert f"/check-in/{token[:6]}…" in log
    assert log.count("/check-in/") >= 5
    assert stored_answers(database) == 1


def test_what_is_sent_back_is_escaped(site: Site) -> None:
    hostile = '</textarea><script>alert(1)</script>"'
    shown = site.http.post(
        site.round.link(),
        data={**GOOD, "respect": '"><b>', "note": hostile},
    )
    assert shown.status_code == 400
    html = shown.text
    assert "<script" not in html and "<b>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in html
    assert not re.search(r'name="respect" value="[^"]*" checked', html)
    field = site.http.post(site.round.link(), data={**GOOD, '<i>"x': "1"})
    assert field.status_code == 400
    assert "<i>" not in field.text and "&lt;i&gt;&quot;x" in field.text
