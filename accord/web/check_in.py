"""The answer page of a trust check-in round: `/check-in/<token>` (issue 16).

A partner's person opens their private link, without an account, and answers the four
items about the partnership (and, if the round asks, about each other partner) in a
plain HTML form: no JavaScript, no tracking, nothing from elsewhere, a strict CSP and a
stylesheet of its own (`static/check-in.css`). What the form's answers become is
`accord.application.rounds.CheckInRounds`' business; this module only shows and reads.

Hostile use is met by `CheckInGuard` (a token bucket per client address, and headers
that keep the link out of caches, referrers and search engines), the app's body limit
(48 KiB for these paths), form posts only (415 otherwise), and `CheckInLinkFilter`, which
keeps all but the first characters of a link's token out of the server's logs.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.application.rounds import ITEM_WORDING, ITEMS, AnswerPage, RoundRefused
from accord.domain.errors import DomainError, invalid
from accord.domain.values import LONG_TEXT_LIMIT
from accord.threads import in_worker_thread

PREFIX = "/check-in/"
PATH = "/check-in/{token}"
MAX_BODY_BYTES = 48 * 1024
"""The answer form's largest honest body, above which a body is refused (413) before it
is read: the note's 5,000 characters (the textarea's maxlength, in UTF-16 units) of
3-byte UTF-8 are 45,000 bytes percent-encoded, and the items a few hundred more. (16 KiB
would refuse a long note in Urdu or Chinese.)"""
BODY_LIMIT = (re.compile(r"^/check-in/"), MAX_BODY_BYTES)
"""For `BodySizeLimit(larger=...)`: the check-in paths' own (smaller) limit."""
RATE_PER_MINUTE = 30
MAX_FIELDS = 200
STYLESHEET = "../static/check-in.css"  # relative: works under a path prefix too
FORM_TYPE = "application/x-www-form-urlencoded"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-robots-tag", b"noindex, nofollow"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
)

SCALE = (
    ("1", "Strongly disagree"),
    ("2", "Disagree"),
    ("3", "Neither agree nor disagree"),
    ("4", "Agree"),
    ("5", "Strongly agree"),
)

log = logging.getLogger("accord.web")


class Rounds(Protocol):
    """The part of `CheckInRounds` the page uses."""

    def page(self, token: str) -> AnswerPage: ...

    def answer(self, token: str, form: Mapping[str, str]) -> None: ...


# ------------------------------------------------------------------ the log filter

_LINK = re.compile(r"(/check-in/)([^\s/?#\"']{0,6})[^\s/?#\"']*")


def shorten_links(text: str) -> str:
    """`text` with each `/check-in/<token>` cut to `/check-in/<first 6 characters>…`."""
    return _LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}…", text)


class CheckInLinkFilter(logging.Filter):
    """Rewrites check-in links in a log record (uvicorn's access log gives the request's
    path as an argument) so that a log never holds a whole link."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and PREFIX in record.msg:
            record.msg = shorten_links(record.msg)
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, str) and PREFIX in a for a in args):
            record.args = tuple(
                shorten_links(a) if isinstance(a, str) and PREFIX in a else a for a in args
            )
        elif isinstance(args, Mapping) and any(
            isinstance(a, str) and PREFIX in a for a in args.values()
        ):
            record.args = {
                k: shorten_links(a) if isinstance(a, str) and PREFIX in a else a
                for k, a in args.items()
            }
        return True


LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "accord.web")


def install_log_filter(names: Sequence[str] = LOGGERS) -> None:
    """Put a `CheckInLinkFilter` on the loggers that may name a request's path (once)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, CheckInLinkFilter) for f in logger.filters):
            logger.addFilter(CheckInLinkFilter())


# ------------------------------------------------------------------- rate limiting


class RateLimiter:
    """A token bucket per key: `rate` requests a minute, in bursts of up to `rate`.
    At most `max_keys` buckets are kept (the least recently used go first)."""

    def __init__(
        self,
        rate: int = RATE_PER_MINUTE,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(rate)
        self.per_second = rate / 60.0
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 if `key` may go ahead now (one token taken), else the seconds to wait."""
        now = self.clock()
        tokens, then = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.per_second
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class CheckInGuard:
    """For `/check-in/` paths: 429 (with Retry-After) past the rate per client address,
    and on every answer (the body limit's and errors' too) headers that keep the page
    out of caches, referrers, frames and search engines. Put it outside `BodySizeLimit`
    so that a refused request's body is never read."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter | None = None) -> None:
        self.app = app
        self.limiter = limiter or RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        wait = self.limiter.take(address)

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in names
                ]
                message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
            await send(message)

        if wait > 0:
            response = plain_response(
                429,
                "Too many requests",
                "Too many requests have come from your address. Wait a minute, then try again.",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
            await response(scope, receive, send_guarded)
            return
        await self.app(scope, receive, send_guarded)


# ----------------------------------------------------------------------- rendering


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{STYLESHEET}">\n'
        "</head>\n<body>\n"
        '<header class="site"><p class="brand">Accord trust check-in</p></header>\n'
        f'<main id="main">\n{body}</main>\n</body>\n</html>\n'
    )


def render_message(title: str, message: str) -> str:
    """A plain page: a heading and a sentence (a refusal, a thank-you, an error)."""
    return _page(title, f"<h1>{escape(title)}</h1>\n<p>{escape(message)}</p>\n")


def plain_response(
    status: int, title: str, message: str, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    return HTMLResponse(render_message(title, message), status, headers=dict(headers or {}))


REFUSAL_TITLES = {404: "Link not found", 409: "Already answered", 410: "Check-in closed"}


def refused(error: RoundRefused) -> HTMLResponse:
    status = error.refusal.status
    return plain_response(
        status, REFUSAL_TITLES.get(status, "Not available"), error.refusal.message
    )


def format_closes(closes_at: datetime, time_zone: str) -> str:
    """'17:00 on Friday 12 December 2025 (Europe/London time)' in the page's zone."""
    local = closes_at.astimezone(ZoneInfo(time_zone))
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y} ({time_zone} time)"


def _sentence(message: str) -> str:
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


class _Form:
    """The controls of one page: each name's id (the first radio's, for a group) and
    what the error summary calls it."""

    def __init__(self, page: AnswerPage) -> None:
        self.ids: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.subjects: list[tuple[str, str, str]] = [("", "p", "the partnership as a whole")]
        for number, (partner_id, name) in enumerate(page.others, start=1):
            self.subjects.append((f"about.{partner_id}.", f"o{number}", name))
        for prefix, key, about in self.subjects:
            for item in ITEMS:
                self.ids[prefix + item] = f"{key}-{item}-1"
                self.labels[prefix + item] = f"{ITEM_WORDING[item]} (about {about})"
        if page.keep_notes:  # else there is no control to point to (a note is refused)
            self.ids["note"] = "note"
        self.labels["note"] = "Your note"


def render_form(
    page: AnswerPage,
    *,
    time_zone: str,
    values: Mapping[str, str] | None = None,
    error: DomainError | None = None,
) -> str:
    """The answer form for a usable link; with `values` (the person's answers, kept)
    and `error` (shown in a summary and next to the control it names) after a problem."""
    values = values or {}
    form = _Form(page)
    partnership = escape(page.partnership_name or "the partnership")
    error_id = "error-message"
    wrong = error.field if error is not None else None
    minimum = page.minimum
    parts: list[str] = []
    parts.append(f"<h1>How much do you trust {partnership}?</h1>\n")
    parts.append(
        f'<p class="lead">The people of each partner of {partnership} are asked how much '
        "they trust the partnership. You answer as one of the people of "
        f"<strong>{escape(page.partner_name)}</strong>. It takes about two minutes.</p>\n"
    )
    if page.asked_by:
        parts.append(f"<p>Asked by: {escape(page.asked_by)}.</p>\n")
    parts.append(
        f'<p>This check-in closes at <time datetime="{escape(page.closes_at.isoformat())}">'
        f"{escape(format_closes(page.closes_at, time_zone))}</time>.</p>\n"
    )
    if error is not None:
        target = form.ids.get(error.field)
        label = form.labels.get(error.field, f"The answer “{error.field[:60]}”")
        text = f"{label}: {error.message}"
        link = f'<a href="#{target}">{escape(text)}</a>' if target is not None else escape(text)
        parts.append(
            '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
            'tabindex="-1">\n<h2 id="error-summary-title">There is a problem: nothing was '
            "sent</h2>\n"
            f"<ul><li>{link}</li></ul>\n</div>\n"
        )
    parts.append('<form method="post" novalidate>\n')
    for prefix, key, about in form.subjects:
        heading_id = f"{key}-heading"
        if prefix:
            heading = f'About {escape(about)} <span class="optional">(optional)</span>'
            hint = (
                f"What you think of {escape(about)} as a partner. Answer all four "
                "questions, or leave all four blank."
            )
        else:
            heading = f"About {partnership} as a whole"
            hint = "Answer all four questions."
        parts.append(
            f'<section class="subject" aria-labelledby="{heading_id}">\n'
            f'<h2 id="{heading_id}">{heading}</h2>\n<p class="hint">{hint} 1 means you '
            "strongly disagree, 5 that you strongly agree.</p>\n"
        )
        for item in ITEMS:
            name = prefix + item
            invalid_here = wrong == name
            parts.append(f'<fieldset class="item{" invalid" if invalid_here else ""}">\n')
            parts.append(
                f"<legend>{escape(ITEM_WORDING[item])}"
                f'<span class="visually-hidden"> (about {escape(about)})</span></legend>\n'
            )
            aria = ""
            if invalid_here and error is not None:
                parts.append(
                    f'<p class="error" id="{error_id}"><span class="visually-hidden">Error: '
                    f"</span>{escape(_sentence(error.message))}</p>\n"
                )
                aria = f' aria-invalid="true" aria-describedby="{error_id}"'
            parts.append('<div class="scale">\n')
            chosen = values.get(name)
            for value, wording in SCALE:
                control = f"{key}-{item}-{value}"
                checked = " checked" if chosen == value else ""
                parts.append(
                    f'<div class="choice"><input type="radio" id="{control}" '
                    f'name="{escape(name)}" value="{value}"{checked}{aria}>'
                    f'<label for="{control}"><span class="number">{value}</span> '
                    f'<span class="words">{wording}</span></label></div>\n'
                )
            parts.append("</div>\n</fieldset>\n")
        parts.append("</section>\n")
    if page.keep_notes:
        note_invalid = wrong == "note" and error is not None
        parts.append(
            '<section class="subject" aria-labelledby="note-heading">\n'
            '<h2 id="note-heading">A note <span class="optional">(optional)</span></h2>\n'
            f'<div class="field{" invalid" if note_invalid else ""}">\n'
            '<label for="note">Anything you want to add</label>\n'
            '<p class="hint" id="note-hint">It goes on the partnership\'s record as you '
            "write it, with no name, among the other notes in random order. Leave out "
            "anything that would tell who you are.</p>\n"
        )
        described = "note-hint"
        if note_invalid and error is not None:
            parts.append(
                f'<p class="error" id="{error_id}"><span class="visually-hidden">Error: '
                f"</span>{escape(_sentence(error.message))}</p>\n"
            )
            described += f" {error_id}"
        marked = ' aria-invalid="true"' if note_invalid else ""
        parts.append(
            f'<textarea id="note" name="note" rows="5" maxlength="{LONG_TEXT_LIMIT}" '
            f'aria-describedby="{described}"{marked}>'
            f"{escape(values.get('note', ''))}</textarea>\n</div>\n</section>\n"
        )
    parts.append(
        '<section class="privacy" aria-labelledby="privacy-heading">\n'
        '<h2 id="privacy-heading">What happens to your answer</h2>\n<ul>\n'
        "<li>Your answer is anonymous. It is stored apart from your link, encrypted, and "
        "without the time you answered.</li>\n"
    )
    at_least = f"at least {minimum} answers"
    parts.append(
        f"<li>When the check-in closes, only the average of the answers from each "
        f"partner's people is recorded, and only for a partner with {at_least}. Then the "
        "stored answers are deleted.</li>\n"
    )
    if page.keep_notes:
        parts.append("<li>Notes go on the record as written, in random order, with no name.</li>\n")
    else:
        parts.append("<li>This check-in records no notes: only the averages.</li>\n")
    parts.append(
        "<li>This link works once: after you send your answer it cannot be used again, "
        "so your answer cannot be changed.</li>\n"
        "<li>This page uses no cookies, no tracking and no JavaScript.</li>\n</ul>\n"
        "</section>\n"
        '<div class="actions"><button type="submit">Send my answer</button></div>\n'
        "</form>\n"
    )
    title = f"Trust check-in: {page.partnership_name or 'the partnership'}"
    if error is not None:
        title = "Error: " + title
    return _page(title, "".join(parts))


def render_thanks() -> str:
    return _page(
        "Thank you: your answer is stored",
        "<h1>Thank you: your answer is stored</h1>\n"
        "<p>Your answer is kept apart from your link, encrypted, until the check-in "
        "closes. Then only the averages are recorded and the answers deleted.</p>\n"
        "<p>This link has now been used, so it cannot answer again. You can close this "
        "page.</p>\n",
    )


# ------------------------------------------------------------------------ endpoint


def read_form(body: bytes) -> tuple[dict[str, str], DomainError | None]:
    """An urlencoded body as one value per name (the first), and the problem of a name
    given twice; ValueError for a body that is not UTF-8 form data."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS)
    form: dict[str, str] = {}
    problem: DomainError | None = None
    for name, value in pairs:
        if name in form:
            problem = problem or invalid(name, "is answered more than once")
            continue
        form[name] = value
    return form, problem


def check_in_endpoint(
    rounds: Callable[[], Rounds | None], time_zone: str
) -> Callable[[Request], Awaitable[Response]]:
    """GET shows the answer form; POST stores an answer (200 thank-you page), or shows
    the form again (400) with the problem next to its control."""

    async def endpoint(request: Request) -> Response:
        service = rounds()
        if service is None:
            return plain_response(
                503, "Not available", "Check-ins are not available on this server."
            )
        token = str(request.path_params.get("token", ""))
        if request.method in ("GET", "HEAD"):
            try:
                page = await in_worker_thread(service.page, token)
            except RoundRefused as error:
                return refused(error)
            return HTMLResponse(render_form(page, time_zone=time_zone))
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != FORM_TYPE:
            return plain_response(
                415,
                "Not a form",
                f"An answer is sent by the check-in page's form ({FORM_TYPE}).",
            )
        try:
            values, problem = read_form(await request.body())
        except ValueError:
            return plain_response(
                400, "The form could not be read", "Open your link again and send the form."
            )
        try:
            if problem is not None:
                await in_worker_thread(service.page, token)  # refusals come first
                raise problem
            await in_worker_thread(service.answer, token, values)
        except RoundRefused as error:
            return refused(error)
        except DomainError as error:
            try:
                page = await in_worker_thread(service.page, token)
            except RoundRefused as refusal:
                return refused(refusal)
            return HTMLResponse(
                render_form(page, time_zone=time_zone, values=values, error=error), 400
            )
        return HTMLResponse(render_thanks())

    return endpoint


def rounds_of(runtime: Any) -> Callable[[], Rounds | None]:
    """The runtime's check-in rounds (`Runtime.rounds`), looked up when a link is used."""

    def lookup() -> Rounds | None:
        return cast("Rounds | None", getattr(runtime, "rounds", None))

    return lookup
