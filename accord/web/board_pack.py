"""The board pack as a PDF (issue 18): `accord report` and `GET
/partnerships/{id}/report.pdf?asOf=&knownAt=&since=`.

`accord.projections.board_pack` gathers the content; this module lays it out as one HTML
document (CSS for the pages: a cover, a table of contents with page numbers from CSS
`target-counter`, one page per question with its chart drawn here as inline SVG, the
story since the last meeting, an appendix) and has WeasyPrint make a tagged PDF of it
(PDF/UA-1: document language en-GB, headings, the charts as Figures whose alternative
text is the SVG's `<title>`, fonts embedded). No browser: WeasyPrint needs only pango.
Times are written in the deployment's zone (`ACCORD_TIMEZONE`, default Europe/London).

The route answers as the workbook export does (`accord.web.uploads`): 401 without
credentials, the same 404 for an unknown id and for one the caller has no role in.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Final
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from accord.domain.errors import DomainError
from accord.graphql.context import Services
from accord.projections.board_pack import (
    DEFAULT_SINCE_DAYS,
    METHOD_NOTES,
    BoardPack,
    Chart,
    CommitmentItem,
    EntryItem,
    QuestionPage,
    build_board_pack,
)
from accord.projections.records import IndexedEvent
from accord.projections.wording import MONTHS
from accord.threads import in_worker_thread
from accord.web.etags import PRIVATE_REVALIDATE, etag_of, matches, not_modified
from accord.web.uploads import (
    DownloadArgumentError,
    _caller,
    _error,
    newest_recorded,
    read_moments,
    refuse_argument,
)
from accord.web.view import TokenCheck

REPORT_PATH: Final = "/partnerships/{partnership_id}/report.pdf"
REPORT_PARAMETERS: Final = ("asOf", "knownAt", "since", "windowDays")
"""The query parameters a pack is made from (its ETag names them)."""
PDF: Final = "application/pdf"
PDF_VARIANT: Final = "pdf/ua-1"
LANGUAGE: Final = "en-GB"
LISTED: Final = 40
"""The most entries a list of the record's changes shows (then: how many more)."""

FULL_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SECTORS: Final = {
    "NHS_TRUST": "NHS trust",
    "LOCAL_AUTHORITY": "local authority",
    "PRIMARY_CARE": "primary care",
    "VOLUNTARY_SECTOR": "voluntary sector",
    "PRIVATE": "independent provider",
    "OTHER": "other",
}

CSS: Final = """
@page {
  size: A4;
  margin: 22mm 18mm 22mm 18mm;
  @top-left { content: string(pack-name); font-size: 8pt; color: #555; }
  @top-right { content: string(pack-date); font-size: 8pt; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }
  @bottom-left { content: "Accord board pack"; font-size: 8pt; color: #555; }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4;
  color: #1a1a1a; font-variant-ligatures: none; }
h1 { font-size: 24pt; margin: 0 0 4mm; string-set: pack-name content(); }
h2 { font-size: 16pt; margin: 0 0 3mm; color: #0b3d63; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; color: #0b3d63; }
p { margin: 0 0 2.5mm; }
.cover { page-break-after: always; }
.cover .kind { font-size: 13pt; color: #0b3d63; margin-bottom: 8mm; }
.cover .purpose { font-size: 12pt; margin-bottom: 8mm; }
.moment { string-set: pack-date content(); }
dl.when { margin: 0 0 6mm; }
dl.when dt { font-weight: bold; margin-top: 2mm; }
dl.when dd { margin: 0 0 0 6mm; }
.audit { border: 0.5pt solid #777; padding: 3mm; margin-top: 8mm; font-size: 9pt; }
.audit code { font-family: "DejaVu Sans Mono", monospace; }
nav.toc { page-break-after: always; }
nav.toc ol { list-style: none; padding: 0; }
nav.toc li { margin: 1.5mm 0; }
nav.toc a { color: inherit; text-decoration: none; }
nav.toc a::after { content: leader('.') target-counter(attr(href), page); }
section.question, section.story, section.appendix { page-break-before: always; }
.status { display: inline-block; font-weight: bold; font-size: 13pt; padding: 1mm 4mm;
  border: 1.5pt solid #333; border-radius: 2mm; margin-bottom: 3mm; }
.status-GREEN { background: #d9efdc; border-color: #1f7a33; }
.status-AMBER { background: #fdebc8; border-color: #a35f00; }
.status-RED { background: #f7d4d4; border-color: #a11d1d; }
.status-INSUFFICIENT_DATA { background: #e8e8e8; border-color: #555; }
.prompt { border-left: 2pt solid #0b3d63; padding-left: 3mm; }
ul { margin: 0 0 2mm; padding-left: 5mm; }
li { margin-bottom: 1mm; }
figure { margin: 4mm 0 0; }
figcaption { font-size: 8.5pt; color: #333; }
svg.chart { width: 170mm; height: 80mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 3mm; }
th, td { border-bottom: 0.4pt solid #999; padding: 1mm 1.5mm; text-align: left;
  vertical-align: top; }
th { background: #eef2f6; }
tr { page-break-inside: avoid; }
td:first-child { white-space: nowrap; }
.none { color: #444; }
.note { font-size: 8.5pt; color: #333; }
"""

_LINE_COLOURS: Final = ("#0b5cad", "#b35900", "#2b7a2b")
_MARKERS: Final = ("circle", "square", "diamond")


def zoned(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def in_words(moment: datetime, zone: ZoneInfo) -> str:
    """`30 September 2026 at 18:00 BST`."""
    local = zoned(moment, zone)
    return (
        f"{local.day} {FULL_MONTHS[local.month - 1]} {local.year} at "
        f"{local:%H:%M} {local.tzname() or ''}".rstrip()
    )


def day_text(moment: datetime, zone: ZoneInfo) -> str:
    """`30 Sep 2026`, the day in the zone."""
    local = zoned(moment, zone)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def pack_file_name(partnership_name: str, as_of: datetime, zone_name: str) -> str:
    """`harbour-coast-care-board-pack-2026-09-30.pdf`: the as-of day in the zone the
    pack is written in (the day the cover shows)."""
    slug = re.sub(r"[^a-z0-9]+", "-", partnership_name.casefold()).strip("-")
    day = zoned(as_of, ZoneInfo(zone_name)).date()
    return f"{slug[:60] or 'partnership'}-board-pack-{day.isoformat()}.pdf"


def _figure(value: float | None) -> str:
    return "no figure" if value is None else f"{value:.2f}"


def chart_alt(page: QuestionPage, zone: ZoneInfo) -> str:
    """The chart's alternative text: what it shows, each figure's first and last value,
    and the thresholds."""
    chart = page.chart
    first, last = day_text(chart.months[0], zone), day_text(chart.months[-1], zone)
    parts = []
    for line in chart.lines:
        known = [value for value in line.values if value is not None]
        if not known:
            parts.append(f"{line.label}: no figure in this period")
        else:
            parts.append(
                f"{line.label} from {_figure(known[0])} to {_figure(line.values[-1])}"
                f" (lowest {min(known):.2f}, highest {max(known):.2f})"
            )
    marks = ", ".join(f"{t.value:g} ({t.label})" for t in chart.thresholds)
    return (
        f"Line chart of the figures behind '{page.text}', monthly from {first} to {last}: "
        + "; ".join(parts)
        + f". Dashed lines mark the thresholds: {marks}."
    )


def chart_svg(page: QuestionPage, zone: ZoneInfo) -> str:
    """The question's chart as inline SVG (vector in the PDF): its figures on 0..1 by
    month, nulls leaving gaps, thresholds as dashed lines, a legend with markers."""
    chart: Chart = page.chart
    width, height = 640.0, 300.0
    left, right, top, bottom = 44.0, 150.0, 12.0, 40.0
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(chart.months) - 1, 1)

    def x(index: int) -> float:
        return left + plot_w * index / count

    def y(value: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, value)))

    alt = chart_alt(page, zone)
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} '
        f'{height:g}" role="img" aria-label="{escape(alt)}"><title>{escape(alt)}</title>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#888" stroke-width="0.8"/>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y(tick) + 3.5:.1f}" font-size="10" '
            f'text-anchor="end" font-family="DejaVu Sans">{tick:g}</text>'
        )
    for index, month in enumerate(chart.months):
        if index % 6 == 0 or index == len(chart.months) - 1:
            local = zoned(month, zone)
            out.append(
                f'<line x1="{x(index):.1f}" x2="{x(index):.1f}" y1="{top + plot_h}" '
                f'y2="{top + plot_h + 4}" stroke="#888" stroke-width="0.8"/>'
                f'<text x="{x(index):.1f}" y="{top + plot_h + 16}" font-size="10" '
                f'text-anchor="middle" font-family="DejaVu Sans">'
                f"{MONTHS[local.month - 1]} {local.year}</text>"
            )
    for threshold in chart.thresholds:
        at = y(threshold.value)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{at:.1f}" y2="{at:.1f}" '
            'stroke="#444" stroke-width="1" stroke-dasharray="5 3"/>'
            f'<text x="{left + plot_w - 3}" y="{at - 3:.1f}" font-size="8.5" fill="#333" '
            f'text-anchor="end" font-family="DejaVu Sans">{threshold.value:g}</text>'
        )
    for number, line in enumerate(chart.lines):
        colour = _LINE_COLOURS[number % len(_LINE_COLOURS)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(line.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(index):.1f},{y(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            out.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                'stroke-width="1.8"/>'
            )
            for point in points:
                out.append(_marker(number, point, colour))
        legend_y = top + 14 + 18 * number
        out.append(
            _marker(number, f"{left + plot_w + 14},{legend_y - 4}", colour)
            + f'<text x="{left + plot_w + 24}" y="{legend_y}" font-size="10" '
            f'font-family="DejaVu Sans">{escape(line.label)}</text>'
        )
    legend_y = top + 14 + 18 * len(chart.lines) + 6
    out.append(
        f'<line x1="{left + plot_w + 8}" x2="{left + plot_w + 20}" y1="{legend_y - 4}" '
        f'y2="{legend_y - 4}" stroke="#444" stroke-dasharray="5 3"/>'
        f'<text x="{left + plot_w + 24}" y="{legend_y}" font-size="10" '
        'font-family="DejaVu Sans">threshold</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _marker(number: int, point: str, colour: str) -> str:
    px, py = (float(part) for part in point.split(","))
    shape = _MARKERS[number % len(_MARKERS)]
    if shape == "circle":
        return f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{px - 2.4:.1f}" y="{py - 2.4:.1f}" width="4.8" height="4.8" '
            f'fill="{colour}"/>'
        )
    return (
        f'<polygon points="{px:.1f},{py - 3.2:.1f} {px + 3.2:.1f},{py:.1f} '
        f'{px:.1f},{py + 3.2:.1f} {px - 3.2:.1f},{py:.1f}" fill="{colour}"/>'
    )


def _list(items: Sequence[str], empty: str) -> str:
    if not items:
        return f'<p class="none">{escape(empty)}</p>'
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p class="none">{escape(empty)}</p>'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _commitments(items: Sequence[CommitmentItem], zone: ZoneInfo, empty: str) -> str:
    return _table(
        ("Date", "Partner", "Commitment", "Due", "What happened"),
        [
            (
                day_text(item.occurred_at, zone),
                escape(item.partner),
                escape(item.what + (f": {item.description}" if item.description else "")),
                day_text(item.due_at, zone),
                escape(item.note),
            )
            for item in items
        ],
        empty,
    )


def _entries(items: Sequence[EntryItem], zone: ZoneInfo, empty: str, *, record: bool) -> str:
    shown = [
        f"{day_text(item.occurred_at, zone)}: {escape(item.sentence)}"
        + (
            f' <span class="note">(entry {item.position}, recorded '
            f"{day_text(item.recorded_at, zone)})</span>"
            if record
            else ""
        )
        for item in items[:LISTED]
    ]
    more = len(items) - LISTED
    text = _list(shown, empty)
    if more > 0:
        text += (
            f'<p class="note">… and {more} more (the history export, `accord export`, '
            "lists every entry).</p>"
        )
    return text


def pack_html(pack: BoardPack, zone_name: str) -> str:
    """The whole pack as one HTML document (lang en-GB), its charts inline SVG."""
    zone = ZoneInfo(zone_name)
    name = escape(pack.name or "Partnership")
    since_day = day_text(pack.since, zone)
    audit = pack.audit
    if audit.position is None:
        audit_line = "No event of this partnership was known at the pack's known-at date."
    else:
        audit_line = (
            f"Made from the record's first {audit.position} events: the newest known at "
            f"{escape(in_words(pack.known_at, zone))} is event {audit.position}, whose hash "
            f"begins <code>{audit.hash_prefix}</code>."
        )
    if audit.chain_valid is None:
        chain = "The hash chain was not checked."
    elif audit.chain_valid:
        checked = f" ({audit.events_checked} events)" if audit.events_checked else ""
        chain = f"The whole hash chain{checked} verifies now."
    else:
        chain = "The hash chain does NOT verify now: the record has been altered."
    partners = [
        f"{escape(p.name)} ({escape(SECTORS.get(p.sector, p.sector.lower()))}), "
        f"since {day_text(p.joined_at, zone)}"
        for p in pack.partners
    ]
    cover = (
        '<section class="cover">'
        f"<h1>{name}</h1>"
        '<p class="kind">Board pack</p>'
        f'<p class="purpose">{escape(pack.purpose)}</p>'
        '<dl class="when">'
        f'<dt>As of</dt><dd class="moment">{escape(in_words(pack.as_of, zone))}</dd>'
        f"<dt>As known at</dt><dd>{escape(in_words(pack.known_at, zone))}</dd>"
        f"<dt>Since the last meeting</dt><dd>{escape(in_words(pack.since, zone))}</dd>"
        f"<dt>Window</dt><dd>the {pack.window_days} days before the as-of date</dd>"
        "</dl>"
        "<h2>Partners</h2>"
        + _list(partners, "No active partner.")
        + f'<p class="audit">{audit_line} {chain} Times are in {escape(zone_name)}.</p>'
        "</section>"
    )
    toc_items = [(f"q-{q.question.value}", q.text) for q in pack.questions]
    toc_items += [
        ("since", f"Since {since_day}"),
        ("appendix", "Appendix: how the figures are computed"),
        ("record", "Appendix: changes to the record"),
    ]
    toc = (
        '<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>'
        + "".join(f'<li><a href="#{anchor}">{escape(text)}</a></li>' for anchor, text in toc_items)
        + "</ol></nav>"
    )
    questions = "".join(_question(page, zone) for page in pack.questions)
    decisions = _table(
        ("Date", "Decision", "Method", "Decided by", "Dissent"),
        [
            (
                day_text(d.occurred_at, zone),
                escape(d.title) + f' <span class="note">({escape(d.category.lower())})</span>',
                escape(d.method.replace("_", " ").lower()),
                escape(", ".join(d.decided_by)),
                escape(", ".join(d.dissented_by) or "none"),
            )
            for d in pack.decisions
        ],
        "No decision recorded in this period.",
    )
    vacancies = [
        f"{escape(v.role)}: vacant since {day_text(v.since, zone)} ({v.days:.0f} days)"
        for v in pack.vacancies
    ]
    rounds = _table(
        ("Round", "Opened", "Closed", "Invited", "Answered", "Response rate"),
        [
            (
                escape(r.round_id),
                day_text(r.opened_at, zone),
                day_text(r.closed_at, zone)
                if r.closed_at
                else f"open (closes {day_text(r.closes_at, zone)})",
                str(r.invited),
                "—" if r.answered is None else str(r.answered),
                "—" if r.response_rate is None else f"{r.response_rate * 100:.0f}%",
            )
            for r in pack.rounds
        ],
        "No check-in round in this period.",
    )
    story = (
        '<section class="story" id="since">'
        f"<h2>Since {since_day}</h2>"
        f'<p class="note">What happened from {escape(in_words(pack.since, zone))} to the '
        "as-of date, as known at the pack's known-at date.</p>"
        "<h3>Decisions</h3>" + decisions + "<h3>Commitments made</h3>"
        f"{_commitments(pack.commitments_made, zone, 'No commitment made.')}"
        "<h3>Commitments delivered</h3>"
        f"{_commitments(pack.commitments_delivered, zone, 'No delivery recorded.')}"
        "<h3>Commitments released</h3>"
        f"{_commitments(pack.commitments_released, zone, 'No commitment released.')}"
        "<h3>Commitments now overdue</h3>"
        '<p class="note">Every commitment due by the as-of date and not delivered in full '
        "by then, however long ago it fell due (those released are left out).</p>"
        f"{_commitments(pack.commitments_overdue, zone, 'Nothing overdue.')}"
        "<h3>Leadership changes</h3>"
        + _entries(pack.leadership_changes, zone, "No leadership change.", record=False)
        + "<h3>Vacancies</h3>"
        + _list(vacancies, "No leadership role is vacant.")
        + "<h3>Goal changes</h3>"
        + _entries(pack.goal_changes, zone, "No goal set, revised or retired.", record=False)
        + "<h3>Check-in rounds</h3>"
        + rounds
        + "</section>"
    )
    notes = "".join(
        f"<h3>{escape(title)}</h3><p>{escape(text)}</p>" for title, text in METHOD_NOTES
    )
    appendix = (
        '<section class="appendix" id="appendix">'
        "<h2>Appendix: how the figures are computed</h2>"
        '<p class="note">In short; docs/METRICS.md gives every formula exactly.</p>'
        + notes
        + "</section>"
        '<section id="record">'
        "<h2>Appendix: changes to the record</h2>"
        f"<h3>Entries retracted since {since_day}</h3>"
        + _entries(pack.retracted, zone, "No entry retracted.", record=True)
        + f"<h3>Entries backdated since {since_day}</h3>"
        '<p class="note">Recorded after this date about a moment before it.</p>'
        + _entries(pack.backdated, zone, "No entry backdated.", record=True)
        + "</section>"
    )
    title = f"Board pack: {name}, as of {day_text(pack.as_of, zone)}"
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<meta name="author" content="Accord">'
        f'<meta name="description" content="{title}">'
        f"<style>{CSS}</style></head><body><main>"
        + cover
        + toc
        + questions
        + story
        + appendix
        + "</main></body></html>"
    )


def _question(page: QuestionPage, zone: ZoneInfo) -> str:
    return (
        f'<section class="question" id="q-{page.question.value}">'
        f"<h2>{escape(page.text)}</h2>"
        f'<p class="status status-{page.status.value}">Status: {page.status_word}</p>'
        "<h3>Evidence</h3>"
        + _list([escape(line) for line in page.evidence], "No evidence.")
        + "<h3>For discussion</h3>"
        f'<p class="prompt">{escape(page.prompt)}</p>'
        "<h3>The last 24 months</h3>"
        f"<figure>{chart_svg(page, zone)}"
        "<figcaption>Each figure monthly (0 to 1); dashed lines are the thresholds the "
        "health check compares them with. A gap: no figure that month.</figcaption>"
        "</figure></section>"
    )


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`: tagged, PDF/UA-1, fonts embedded (WeasyPrint)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    assert isinstance(pdf, bytes)
    return pdf


def board_pack(
    events: Sequence[IndexedEvent],
    *,
    as_of: datetime,
    known_at: datetime,
    since: datetime | None,
    window_days: int,
    zone_name: str,
    chain_valid: bool | None,
    events_checked: int | None = None,
) -> tuple[BoardPack, str, bytes]:
    """The pack's content, its HTML and its PDF. `since` left out is 90 days before
    `as_of` on the zone's calendar (the same time of day, whatever the clocks did)."""
    if since is None:
        local = zoned(as_of, ZoneInfo(zone_name))
        since = (local - timedelta(days=DEFAULT_SINCE_DAYS)).astimezone(UTC)
    pack = build_board_pack(
        events,
        as_of=as_of,
        known_at=known_at,
        since=since,
        window_days=window_days,
        chain_valid=chain_valid,
        events_checked=events_checked,
    )
    html = pack_html(pack, zone_name)
    return pack, html, html_to_pdf(html)


def report_endpoint(
    services: Services, *, auth: bool, check_token: TokenCheck | None, time_zone: str
) -> Callable[[Request], Awaitable[Response]]:
    """`GET /partnerships/{id}/report.pdf[?asOf=T&knownAt=K&since=S&windowDays=N]`: the
    options read by `read_download_options` (a bare date is that day in `time_zone`), a
    wrong one refused with 400 naming it. Without `knownAt` the pack is as known when
    its newest entry was recorded (the same content as now, and the same bytes until
    something is recorded). With `asOf` given it has an ETag (the partnership's version,
    its head hash and the chain's audit, the options, the zone): If-None-Match naming
    it is answered 304 without the pack being made again."""

    async def endpoint(request: Request) -> Response:
        caller = await _caller(request, auth, check_token)
        if isinstance(caller, Response):
            return caller
        actor, enforce, pid = caller
        now = datetime.now(UTC)
        try:
            options = read_moments(request, now, time_zone, REPORT_PARAMETERS)
        except DownloadArgumentError as error:
            return refuse_argument(error)

        def build() -> Response:
            try:
                partnership = services.app.partnership(pid)
            except DomainError:
                return _error(404, "NOT_FOUND", "unknown partnership")
            if enforce and partnership.role_of(actor) is None:
                return _error(404, "NOT_FOUND", "unknown partnership")
            audit = services.app.verify(pid)  # once: the ETag and the cover's audit line
            etag = None
            if request.query_params.get("asOf"):  # issue 19: else "now", which moves
                etag = etag_of(
                    "report.pdf",
                    pid,
                    partnership.version,
                    audit.head_hash,
                    audit.first_broken_position,
                    audit.events_checked,
                    *(request.query_params.get(name) or "" for name in REPORT_PARAMETERS),
                    time_zone,
                    partnership.name,
                )
                if matches(request, etag):
                    return not_modified(etag, {"Cache-Control": PRIVATE_REVALIDATE})
            events = services.reader.events(str(pid))
            _, _, pdf = board_pack(
                events,
                as_of=options.as_of,
                known_at=options.known_at or newest_recorded(events, now),
                since=options.since,
                window_days=options.window_days,
                zone_name=time_zone,
                chain_valid=audit.first_broken_position is None,
                events_checked=audit.events_checked,
            )
            filename = pack_file_name(partnership.name, options.as_of, time_zone)
            headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
            if etag is not None:
                headers |= {"ETag": etag, "Cache-Control": PRIVATE_REVALIDATE}
            return Response(pdf, media_type=PDF, headers=headers)

        return await in_worker_thread(build)

    return endpoint
