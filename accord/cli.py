"""`accord serve | demo | project | import | export | health | report | verify | rebuild |
round | account`."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from accord.application.importing import StepError
from accord.application.oidc_actors import OIDC_PREFIX, is_reserved
from accord.domain.instants import InstantError
from accord.projections.cell_text import escape_formula
from accord.projections.event_json import event_json
from accord.runtime import Runtime
from accord.settings import SettingsError, oidc_settings, time_zone
from accord.storage.projector import Projector

if TYPE_CHECKING:
    from accord.application.workbooks import WorkbookRefused

DEFAULT_ACTOR = "local"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.run(args)
        return result
    except (SettingsError, InstantError) as error:
        print(f"accord: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="accord", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    def command(name: str, run: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--database",
            default=os.environ.get("ACCORD_DATABASE_URL"),
            help="sqlite:///path.db (default sqlite:///accord.db) or postgresql://...",
        )
        p.set_defaults(run=run)
        return p

    p = command(
        "import",
        _import,
        "record a steps file, a registers workbook (.xlsx) or one sheet of it (.csv with "
        "--kind); prints the partnership's id",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--actor", default=os.environ.get("ACCORD_ACTOR", DEFAULT_ACTOR))
    p.add_argument("--partnership", help="a workbook's entries go into this partnership")
    p.add_argument("--dry-run", action="store_true", help="judge a workbook; record nothing")
    p.add_argument("--kind", help="a CSV file's kind of entry (e.g. recordDecision)")
    p.add_argument(
        "--timezone", help="the zone of a workbook's date-time cells (default ACCORD_TIMEZONE)"
    )
    p = command("template", _template, "write the registers workbook to fill in and import")
    p.add_argument("--output", type=Path, default=Path("registers.xlsx"))
    p = command("verify", _verify, "recompute hash chains from the event store")
    p.add_argument("id", nargs="?")
    p.add_argument("--anchor", type=Path, help="write or check a head anchor file")
    p = command("export", _export, "write a partnership's whole history")
    p.add_argument("id")
    p.add_argument("--format", choices=("jsonl", "csv", "xlsx"), default="jsonl")
    p.add_argument("--output", type=Path, help="xlsx: the file (default: name and date)")
    p.add_argument("--as-of", help="xlsx: the registers and health as of this date")
    p.add_argument("--known-at", help="xlsx: as known at this date")
    p.add_argument("--window-days", type=int, default=365, help="xlsx: health's window")
    p = command("health", _health, "the four questions at a moment")
    p.add_argument("id")
    p.add_argument("--as-of")
    p.add_argument("--known-at")
    p.add_argument("--window-days", type=int, default=365)
    p.add_argument("--json", action="store_true")
    p = command("report", _report, "write the board pack (PDF) and print its path")
    p.add_argument("id")
    p.add_argument("--as-of")
    p.add_argument("--known-at")
    p.add_argument("--since", help="the story from this moment (default: 90 days before as-of)")
    p.add_argument("--window-days", type=int, default=365)
    p.add_argument("--output", type=Path, help="the file (default: name, board-pack and date)")
    command("rebuild", _rebuild, "rebuild every view from position 0")
    p = command("token", _token, "issue, revoke and list bearer tokens")
    p.add_argument("action", choices=("issue", "revoke", "list"))
    p.add_argument("token_id", nargs="?", help="for revoke: the id `token list` shows")
    p.add_argument("--actor", help="for issue: the actor; for revoke: all of its tokens")
    p = command("round", _round, "check-in rounds: `round links ID` lists a round's unused links")
    rounds = p.add_subparsers(dest="round_action", required=True, metavar="links")
    p = rounds.add_parser("links", help="print the round's unused links (ADMIN only)")
    p.add_argument("round_id", metavar="ROUND_ID")
    p.add_argument("--csv", action="store_true", help="CSV with the header partner,link")
    p.add_argument("--base-url", help="put before each link (default ACCORD_PUBLIC_URL)")
    p.add_argument("--actor", default=os.environ.get("ACCORD_ACTOR", DEFAULT_ACTOR))
    p.add_argument("--database", default=argparse.SUPPRESS, help="as `accord round`'s")
    p = command(
        "account",
        _account,
        "local accounts for signing in to the page: add, list, disable, password, log",
    )
    account = p.add_subparsers(
        dest="account_action", required=True, metavar="{add,list,disable,password,log}"
    )
    for name, help_ in (
        ("add", "add a local account (the password read from the terminal)"),
        ("list", "list the local accounts: actor, created, disabled (never a hash)"),
        ("disable", "disable an account and end its sessions at once"),
        ("password", "set an account's password (read from the terminal)"),
        ("log", "print the sign-in log, one line each: time, actor, address, outcome, method"),
    ):
        p = account.add_parser(name, help=help_, description=help_)
        p.add_argument("--database", default=argparse.SUPPRESS, help="as `accord account`'s")
        if name != "list":
            p.add_argument(
                "--actor",
                required=name != "log",
                help="the account's actor name" if name != "log" else "only this actor's lines",
            )
        if name in ("add", "password"):
            p.add_argument(
                "--password-stdin",
                action="store_true",
                help="read the password from the first line of standard input",
            )
    command("project", _project, "run the projection worker")
    for name, run, help_ in (
        ("serve", _serve, "serve the GraphQL API and the timeline page"),
        ("demo", _demo, "load the demo partnership if absent, then serve it"),
    ):
        p = command(name, run, help_)
        p.add_argument("--host", default=os.environ.get("ACCORD_HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("ACCORD_PORT", "8000")))
        p.add_argument("--no-auth", action="store_true", help="no tokens: every caller is 'local'")
        p.add_argument("--no-projector", action="store_true", help="rely on `accord project`")
        p.add_argument(
            "--access-log",
            action="store_true",
            help="log every request (off by default: it costs a twentieth of a mutation)",
        )
    return parser


@contextmanager
def _runtime(args: argparse.Namespace, *, current: bool = True) -> Any:
    runtime = Runtime.open(args.database, project=False)
    try:
        if current:
            Projector(runtime.app, runtime.views).run_until_current()
        yield runtime
    finally:
        runtime.close()


def _progress(total: int, label: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A progress bar on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        return (lambda _: None), (lambda: None)
    from rich.progress import Progress

    bar = Progress(transient=True)
    bar.start()
    task = bar.add_task(label, total=total)
    return (lambda n: bar.update(task, completed=n)), bar.stop


def _may_act_as(runtime: Runtime, actor: str) -> bool:
    """Whether an import may be recorded as `actor` (else says why): any name, but of
    those beginning `oidc:` or `check-in-round:` only a known OpenID user's id (a round's
    close is recorded by the round alone)."""
    if not is_reserved(actor):
        return True
    directory = runtime.app.directory
    if (
        actor.startswith(OIDC_PREFIX)
        and directory is not None
        and directory.oidc_display(actor) is not None
    ):
        return True
    print(
        "accord: --actor: names beginning oidc: or check-in-round: are reserved "
        "(an OpenID user's id only once they have signed in)",
        file=sys.stderr,
    )
    return False


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".csv")


def _import(args: argparse.Namespace) -> int:
    if args.file.suffix.casefold() in WORKBOOK_SUFFIXES:
        return _import_workbook(args)
    if args.partnership or args.dry_run or args.kind or args.timezone:
        print(
            "accord: --partnership, --dry-run, --kind and --timezone are for a workbook "
            "(.xlsx) or a CSV file",
            file=sys.stderr,
        )
        return 2
    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"accord: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    steps = document["steps"] if isinstance(document, dict) else document
    update, stop = _progress(len(steps), "judging steps")
    with _runtime(args, current=False) as runtime:
        if not _may_act_as(runtime, args.actor):
            stop()
            return 2
        try:
            pid, _ = runtime.app.import_steps(steps, actor=args.actor, progress=update)
        except StepError as error:
            stop()
            print(str(error), file=sys.stderr)
            print(str(error))
            return 1
        stop()
        Projector(runtime.app, runtime.views).run_until_current()
    print(pid)
    return 0


def _import_workbook(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from accord.application.workbooks import WorkbookRefused, import_rows
    from accord.domain.errors import DomainError, VersionConflict
    from accord.web.registers import SHEETS
    from accord.web.workbook_files import UnreadableFile, read_file

    zone = ZoneInfo(time_zone(args.timezone))
    pid = _uuid(args.partnership) if args.partnership else None
    try:
        rows = read_file(args.file, kind=args.kind)
    except UnreadableFile as error:
        print(f"accord: {error}", file=sys.stderr)
        return 2
    except WorkbookRefused as refused:
        return _refused(refused)
    with _runtime(args, current=False) as runtime:
        if not _may_act_as(runtime, args.actor):
            return 2
        try:
            made, judged = import_rows(
                runtime.app,
                rows,
                partnership_id=pid,
                actor=args.actor,
                zone=zone,
                dry_run=args.dry_run,
                form_sheet=SHEETS[0].title,
            )
        except WorkbookRefused as refused:
            return _refused(refused)
        except DomainError as error:
            # As the API: a partnership the actor has no role in is not told apart from
            # one that does not exist.
            print(
                f"accord: --partnership {args.partnership}: {error.code.value}: {error.message} "
                f"(or {args.actor} has no role in it; --actor NAME)",
                file=sys.stderr,
            )
            return 1
        except VersionConflict as error:
            print(
                f"accord: nothing was recorded: someone recorded in the meantime ({error}); "
                "import again",
                file=sys.stderr,
            )
            return 1
        if args.dry_run:
            for summary in judged.sheets.values():
                print(summary)
            total = sum(summary.entries for summary in judged.sheets.values())
            print(f"{total} entries would be recorded; nothing was (--dry-run)", file=sys.stderr)
            return 0
        Projector(runtime.app, runtime.views).run_until_current()
    print(made)
    return 0


def _refused(refused: WorkbookRefused) -> int:
    for refusal in refused.refusals:
        print(refusal)
    print(f"accord: {refused.summary}", file=sys.stderr)
    return 1


def _template(args: argparse.Namespace) -> int:
    from accord.web.registers import write_template

    try:
        write_template(str(args.output))
    except OSError as error:
        print(f"accord: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(args.output)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from accord.application.anchor import Anchor

    with _runtime(args, current=False) as runtime:
        ids = [_uuid(args.id)] if args.id else runtime.app.partnership_ids()
        anchor = Anchor.load(args.anchor, runtime.app) if args.anchor else None
        broken = False
        for pid in ids:
            report = runtime.app.verify(pid)
            position = report.first_broken_position
            if position is None and anchor is not None:
                position = anchor.check(pid, report)
            if position is None:
                print(f"{pid} valid {report.events_checked}")
            else:
                broken = True
                print(f"{pid} broken at {position}")
        if anchor is not None and not broken:
            anchor.save(runtime.app, ids)
    return 1 if broken else 0


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise SettingsError(f"'{text}' is not a partnership id") from None


def _export(args: argparse.Namespace, out: TextIO | None = None) -> int:
    if args.format == "xlsx":
        return _export_xlsx(args)
    if args.output or args.as_of or args.known_at:
        print("accord: --output, --as-of and --known-at are for --format xlsx", file=sys.stderr)
        return 2
    out = out or sys.stdout
    with _runtime(args) as runtime:
        if runtime.reader.partnership(str(_uuid(args.id))) is None:
            print(f"accord: no partnership {args.id}", file=sys.stderr)
            return 1
        now = datetime.now(UTC)
        rows = [event_json(e, now) for e in runtime.reader.events(str(_uuid(args.id)))]
    if args.format == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        for row in rows:
            row = {**row, "data": json.dumps(row["data"], ensure_ascii=False)}
            # A text cell a spreadsheet would run as a formula is written with a leading
            # ' (OWASP): CSV is for reading; JSON lines is the exact export.
            writer.writerow(
                {k: escape_formula(v) if isinstance(v, str) else v for k, v in row.items()}
            )
    return 0


_OPTION_NAMES = {
    "asOf": "--as-of",
    "knownAt": "--known-at",
    "since": "--since",
    "windowDays": "--window-days",
}


@dataclass(frozen=True)
class _Download:
    """A partnership's history read for a download (the workbook, the board pack) and
    the options it is made with, read as the HTTP routes read them."""

    name: str
    events: list[Any]
    as_of: datetime
    known_at: datetime
    since: datetime | None
    window_days: int
    zone: str


def _read_for_download(
    args: argparse.Namespace, options: Sequence[str], *, as_the_api: bool = False
) -> _Download | int:
    """`args.id`'s history and `options` (of asOf, knownAt, since, windowDays) read by
    `read_download_options` (a bare date is that day in ACCORD_TIMEZONE; `as_the_api`:
    a UTC day, and knownAt now when not given, as GraphQL reads them); exit 2 with a
    message naming the option when one is wrong, 1 for an unknown id."""
    from accord.web.uploads import DownloadArgumentError, newest_recorded, read_download_options

    zone = "UTC" if as_the_api else time_zone()
    now = datetime.now(UTC)
    given = {
        "asOf": args.as_of,
        "knownAt": args.known_at,
        "since": getattr(args, "since", None),
        "windowDays": str(args.window_days),
    }
    try:
        read = read_download_options(
            {name: given[name] for name in options},
            zone=zone,
            now=now,
            names={name: _OPTION_NAMES[name] for name in options},
        )
    except DownloadArgumentError as error:
        print(f"accord: {error}", file=sys.stderr)
        return 2
    with _runtime(args) as runtime:
        pid = str(_uuid(args.id))
        entry = runtime.reader.partnership(pid)
        if entry is None:
            print(f"accord: no partnership {args.id}", file=sys.stderr)
            return 1
        events = list(runtime.reader.events(pid))
    known_at = read.known_at or (now if as_the_api else newest_recorded(events, now))
    return _Download(entry.name, events, read.as_of, known_at, read.since, read.window_days, zone)


def _export_xlsx(args: argparse.Namespace) -> int:
    from accord.web.workbook_export import export_file_name, write_export

    reading = _read_for_download(args, ("asOf", "knownAt", "windowDays"))
    if isinstance(reading, int):
        return reading
    path = args.output or Path(export_file_name(reading.name, reading.as_of, reading.zone))
    try:
        write_export(
            str(path),
            reading.events,
            as_of=reading.as_of,
            known_at=reading.known_at,
            window_days=reading.window_days,
        )
    except OSError as error:
        print(f"accord: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _health(args: argparse.Namespace) -> int:
    from accord.projections.health import health, health_to_json
    from accord.projections.health_report import render_report

    reading = _read_for_download(args, ("asOf", "knownAt", "windowDays"), as_the_api=True)
    if isinstance(reading, int):
        return reading
    result = health(reading.events, reading.as_of, reading.known_at, reading.window_days)
    if args.json:
        print(json.dumps(health_to_json(result), indent=2))
    else:
        print(render_report(reading.name, result))
    return 0


def _report(args: argparse.Namespace) -> int:
    """`accord report ID`: the board pack as a PDF (accord/web/board_pack.py)."""
    from accord.web.board_pack import board_pack, pack_file_name

    reading = _read_for_download(args, ("asOf", "knownAt", "since", "windowDays"))
    if isinstance(reading, int):
        return reading
    with _runtime(args, current=False) as runtime:
        chain = runtime.app.verify(_uuid(args.id))
    _, _, pdf = board_pack(
        reading.events,
        as_of=reading.as_of,
        known_at=reading.known_at,
        since=reading.since,
        window_days=reading.window_days,
        zone_name=reading.zone,
        chain_valid=chain.first_broken_position is None,
        events_checked=chain.events_checked,
    )
    path = args.output or Path(pack_file_name(reading.name, reading.as_of, reading.zone))
    try:
        path.write_bytes(pdf)
    except OSError as error:
        print(f"accord: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    with _runtime(args, current=False) as runtime:
        projector = Projector(runtime.app, runtime.views)
        projector.reset()
        total = projector.max_position()
        done = 0
        update, stop = _progress(total, "rebuilding views")

        def step(count: int) -> None:
            nonlocal done
            done += count
            update(done)

        projector.run_until_current(step)
        stop()
        print(f"rebuilt views from {done} events")
    return 0


def _token(args: argparse.Namespace) -> int:
    from accord.storage.tokens import TokenStore

    with _runtime(args, current=False) as runtime:
        store = TokenStore(runtime.views)
        try:
            if args.action == "issue":
                if not args.actor:
                    print("accord: token issue needs --actor NAME", file=sys.stderr)
                    return 2
                print(store.issue(args.actor))
            elif args.action == "revoke":
                count = store.revoke(args.token_id, args.actor)
                print(f"revoked {count} token(s)")
                return 0 if count else 1
            else:
                for info in store.list():
                    state = f"revoked {info.revoked_at}" if info.revoked_at else "active"
                    print(f"{info.token_id}  {info.actor}  issued {info.issued_at}  {state}")
        except ValueError as error:
            print(f"accord: {error}", file=sys.stderr)
            return 2
        finally:
            store.close()
    return 0


def _read_password(args: argparse.Namespace) -> str | int:
    """The new password: one line of standard input with --password-stdin, else typed
    twice at the terminal (not echoed). An exit code (a message printed) when there is
    none or the two differ. The password is never printed."""
    import getpass

    from accord.application.accounts import check_password

    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            print("accord: --password-stdin: nothing on standard input", file=sys.stderr)
            return 2
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():  # getpass would read it with echo on: refuse instead
        print(
            "accord: no terminal to type the password at: use --password-stdin",
            file=sys.stderr,
        )
        return 2
    try:
        password = getpass.getpass("New password: ")
        check_password(password)  # said before the second prompt
        again = getpass.getpass("The same again: ")
    except (EOFError, KeyboardInterrupt):
        print("\naccord: no password given", file=sys.stderr)
        return 1
    if password != again:
        print("accord: the two passwords differ: nothing changed", file=sys.stderr)
        return 1
    return password


def _account(args: argparse.Namespace) -> int:
    """`accord account add | list | disable | password | log`: exit 1 for a refused
    password or an unknown (or already existing) account, 2 for a bad actor name."""
    from accord.application.accounts import AccountError, check_actor_name

    action = args.account_action
    actor: str | None = getattr(args, "actor", None)
    if action == "add":
        try:
            actor = check_actor_name(actor or "")
        except AccountError as error:
            print(f"accord: {error}", file=sys.stderr)
            return 2
    with _runtime(args, current=False) as runtime:
        accounts = runtime.accounts
        try:
            if action == "list":
                for info in accounts.accounts():
                    created = info.created_at.astimezone(UTC).isoformat(timespec="seconds")
                    state = (
                        "disabled " + info.disabled_at.astimezone(UTC).isoformat(timespec="seconds")
                        if info.disabled_at
                        else "active"
                    )
                    print(f"{info.actor}\tcreated {created}\t{state}")
                return 0
            if action == "log":
                for line in accounts.log(actor):
                    print(line)
                return 0
            assert actor is not None  # argparse requires --actor for the others
            if action == "disable":
                ended = accounts.disable(actor)
                print(f"disabled '{actor}': {ended} session(s) ended")
                return 0
            exists = accounts.store.account(actor) is not None
            if action == "add" and exists:
                raise AccountError(f"'{actor}' already has an account")
            if action == "password" and not exists:
                raise AccountError(f"no account '{actor}'")
            password = _read_password(args)
            if isinstance(password, int):
                return password
            if action == "add":
                accounts.add(actor, password)
                print(f"added the account '{actor}'")
            else:
                ended = accounts.set_password(actor, password)
                print(f"set the password of '{actor}': {ended} session(s) ended")
        except AccountError as error:
            print(f"accord: {error}", file=sys.stderr)
            return 1
    return 0


def _round(args: argparse.Namespace) -> int:
    """`accord round links ROUND_ID`: `partnerId<TAB>url` per unused link (or CSV)."""
    from accord.application.rounds import RoundStatus
    from accord.domain.errors import DomainError, Forbidden
    from accord.settings import public_url

    round_id = args.round_id
    with _runtime(args, current=False) as runtime:
        try:
            links = runtime.rounds.round_links(round_id, actor=args.actor, enforce_access=True)
        except DomainError:
            # As the API: a round in a partnership the actor has no role in is not told
            # apart from one that does not exist.
            print(
                f"accord: no check-in round '{round_id}' (or {args.actor} has no role in its "
                "partnership; --actor NAME)",
                file=sys.stderr,
            )
            return 1
        except Forbidden:
            print(
                f"accord: check-in round '{round_id}': only an ADMIN of its partnership may "
                f"list its links, and {args.actor} is not one (--actor NAME)",
                file=sys.stderr,
            )
            return 1
        stored = runtime.rounds.store.find(round_id)
    if not links:
        closed = stored is None or stored.status is not RoundStatus.OPEN
        print(
            f"accord: check-in round '{round_id}' has closed: its links are gone"
            if closed
            else f"accord: every link of check-in round '{round_id}' has been used",
            file=sys.stderr,
        )
        return 0
    base = (args.base_url or public_url()).strip().rstrip("/")
    if not base:
        print(
            "accord: no --base-url or ACCORD_PUBLIC_URL: the links are root-relative "
            "(put the server's address before each)",
            file=sys.stderr,
        )
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["partner", "link"])
        for link in links:
            writer.writerow([escape_formula(link.partner_id), escape_formula(base + link.path)])
    else:
        for link in links:
            print(f"{link.partner_id}\t{base}{link.path}")
    return 0


def _project(args: argparse.Namespace) -> int:
    from accord.storage.worker import run_worker

    return run_worker(args.database)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _serve(args: argparse.Namespace) -> int:
    from accord.web.app import MissingPageFiles, check_page_files
    from accord.web.server import serve

    try:
        check_page_files()  # before the database is opened (create_app checks again)
    except MissingPageFiles as error:
        print(f"accord: {error}", file=sys.stderr)
        return 2
    zone = time_zone()  # ACCORD_TIMEZONE: a bad name stops here, as a SettingsError
    if not args.no_auth:
        oidc_settings()  # ACCORD_OIDC_*: so does single sign-on configured wrongly
    if args.no_auth:
        if args.host not in LOOPBACK:
            print(
                f"accord: --no-auth serves without tokens, so only on loopback (not {args.host})",
                file=sys.stderr,
            )
            return 2
        print(
            "WARNING: --no-auth: no tokens are checked; every caller can see and record "
            f"everything, as '{DEFAULT_ACTOR}'",
            file=sys.stderr,
        )
    print(f"Accord at http://{args.host}:{args.port}/ (GraphiQL at /graphql)", flush=True)
    try:
        status: int = serve(
            args.database,
            host=args.host,
            port=args.port,
            auth=not args.no_auth,
            projector=not args.no_projector,
            access_log=args.access_log,
            time_zone=zone,
        )
    except KeyboardInterrupt:
        return 0
    return status


def _demo(args: argparse.Namespace) -> int:
    time_zone()  # ACCORD_TIMEZONE: checked before the demo is loaded (and again by _serve)
    with _runtime(args) as runtime:
        demo = json.loads(
            resources.files("accord.demo").joinpath("demo.steps.json").read_text("utf-8")
        )
        names = {entry.name for entry in runtime.reader.partnerships(limit=500)}
        name = demo["steps"][0]["input"]["name"]
        if name not in names:
            pid, _ = runtime.app.import_steps(demo["steps"], actor=DEFAULT_ACTOR)
            Projector(runtime.app, runtime.views).run_until_current()
            print(f"loaded the demo partnership '{name}' ({pid})")
    if args.host in LOOPBACK:
        print(f"demo implies --no-auth on loopback: every caller records as '{DEFAULT_ACTOR}'")
        args.no_auth = True
    return _serve(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
