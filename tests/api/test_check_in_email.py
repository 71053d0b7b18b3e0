"""Check-in rounds' e-mail for real (issue 16): a real SMTP server (aiosmtpd) receives the
invitations `openCheckInRound` sends and the reminders `remindCheckInRound` sends, from a
real API server; each link mailed works; reminders go only to those who have not
answered; no address outlives the close (in the database or the events); no log line of
the server holds an address or a whole link; and without e-mail, or with the SMTP server
down, the round still behaves."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import sqlite3
import ssl
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from accord.mail import SmtpMailer
from accord.settings import SettingsError
from tests.api.server import ApiServer, start_server
from tests.support.operations import Recorder
from tests.support.postgres import free_port

SENDER = "accord@example.org"
NHS = ["ada.lovelace@nhs.example.org", "grace.hopper@nhs.example.org", "alan@nhs.example.org"]
COUNCIL = ["edith@council.example.org", "tim.berners@council.example.org"]
ADDRESSES = NHS + COUNCIL
FORM = {"content-type": "application/x-www-form-urlencoded"}
GOOD = {"reliability": "4", "openness": "3", "respect": "5", "sharedOwnership": "2"}
LINK = re.compile(r"https?://[^\s/]+/check-in/[A-Za-z0-9_-]+")

OPEN = """
mutation Open($input: OpenCheckInRoundInput!) {
  result: openCheckInRound(input: $input) {
    __typename
    ... on OpenCheckInRoundSuccess {
      event { type data }
      round { id status invited }
      links { partner { id } url }
      emailed
    }
    ... on ValidationError { code field message }
    ... on ForbiddenError { code message }
    ... on VersionConflictError { code message }
  }
}"""

ROUND_MUTATION = """
mutation M($input: %sInput!) {
  result: %s(input: $input) {
    __typename
    ... on %sSuccess { event { type data } round { id status reminders } }
    ... on ValidationError { code field message }
    ... on ForbiddenError { code message }
    ... on VersionConflictError { code message }
  }
}"""

HISTORY = """
query H($id: ID!) {
  partnership(id: $id) {
    history(first: 500) { edges { node { type recordedBy data summary } } }
  }
}"""


# ------------------------------------------------------------------ the SMTP server


@dataclass
class Mail:
    envelope_to: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def body(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    @property
    def link(self) -> str:
        links = LINK.findall(self.body)
        assert len(links) == 1, self.body
        return str(links[0])


@dataclass
class Inbox:
    """aiosmtpd's handler: every message received, in order."""

    port: int = 0
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(Mail(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def take(self) -> list[Mail]:
        taken, self.mails = self.mails, []
        return taken


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox(port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@dataclass
class Logins:
    """aiosmtpd's authenticator: every user name and password a client gave, accepted."""

    given: list[tuple[str, str]] = field(default_factory=list)

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.given.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=True)


@dataclass
class PasswordServer:
    """An SMTP server that asks for a password and offers no STARTTLS: it advertises AUTH
    over plain text, as a careless server, or one behind an attacker who strips the
    STARTTLS offer, does."""

    inbox: Inbox
    logins: Logins


@pytest.fixture
def password_server() -> Iterator[PasswordServer]:
    inbox, logins = Inbox(port=free_port()), Logins()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=inbox.port,
        authenticator=logins,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield PasswordServer(inbox, logins)
    finally:
        controller.stop()


def certificate_for_loopback(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key: (certificate, key) files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Accord test SMTP")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def starttls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordServer]:
    """An SMTP server that asks for a password only after STARTTLS, with a certificate
    for 127.0.0.1 that this process trusts (`SSL_CERT_FILE`, read by the default TLS
    context the mailer verifies the server with)."""
    cert_file, key_file = certificate_for_loopback(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    inbox, logins = Inbox(port=free_port()), Logins()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=inbox.port,
        tls_context=context,
        require_starttls=True,
        authenticator=logins,
        auth_required=True,
    )
    controller.start()
    try:
        yield PasswordServer(inbox, logins)
    finally:
        controller.stop()


# ------------------------------------------------------------------------ the logs


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:  # once, though it passes several of our loggers
            self._seen.add(id(record))
            self.records.append(record)

    def lines(self) -> list[str]:
        """The server's log lines: not those of the test's own HTTP client (httpx) and
        SMTP server (aiosmtpd's `mail.log`)."""
        own = ("httpx", "httpcore", "mail", "aiosmtpd")
        lines = []
        for record in self.records:
            if record.name.split(".")[0] in own:
                continue
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            lines.append(f"{record.name}: {text}")
        return lines


SERVER_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "accord")


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Every record of the root logger and of uvicorn's (which do not propagate), at
    DEBUG, once `listen` is called (after the server has set up its logging, which
    replaces uvicorn's handlers)."""
    capture = Capture()
    saved = {name: logging.getLogger(name).level for name in SERVER_LOGGERS}
    try:
        yield capture
    finally:
        for name, level in saved.items():
            logging.getLogger(name).removeHandler(capture)
            logging.getLogger(name).setLevel(level)


def listen(logs: Capture) -> None:
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        if logs not in logger.handlers:
            logger.addHandler(logs)


def assert_nothing_secret_logged(logs: Capture, secrets: list[str]) -> None:
    lines = logs.lines()
    assert any(line.startswith("uvicorn.access") for line in lines), lines  # it captures
    for line in lines:
        for secret in secrets:
            assert secret.lower() not in line.lower(), f"logged {secret!r}: {line}"


# ---------------------------------------------------------------------- the round


def serve(
    database: Path, monkeypatch: pytest.MonkeyPatch, logs: Capture, smtp_url: str | None
) -> ApiServer:
    """A real API server over `database`, sending e-mail through `smtp_url` (none if
    None); its links from the request's origin (no ACCORD_PUBLIC_URL). The settings are
    read when its runtime opens."""
    if smtp_url is None:
        monkeypatch.delenv("ACCORD_SMTP_URL", raising=False)
        monkeypatch.delenv("ACCORD_SMTP_FROM", raising=False)
    else:
        monkeypatch.setenv("ACCORD_SMTP_URL", smtp_url)
        monkeypatch.setenv("ACCORD_SMTP_FROM", SENDER)
    monkeypatch.delenv("ACCORD_PUBLIC_URL", raising=False)
    server = start_server(f"sqlite:///{database}", access_log=True)
    listen(logs)
    return server


def form_partnership(server: ApiServer) -> str:
    admin = Recorder(server)
    pid = admin.form("Riverside Care")
    for partner, sector in (("nhs", "NHS_TRUST"), ("council", "LOCAL_AUTHORITY")):
        admin.record(
            "joinPartner",
            {"partnershipId": pid, "partnerId": partner, "name": partner.title(), "sector": sector},
        )
    return pid


def open_round(server: ApiServer, pid: str) -> dict[str, Any]:
    closes = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    data = server.data(
        OPEN,
        {
            "input": {
                "partnershipId": pid,
                "closesAt": closes.isoformat().replace("+00:00", "Z"),
                "invitations": [
                    {"partnerId": "nhs", "emails": NHS},
                    {"partnerId": "council", "count": 4, "emails": COUNCIL},
                ],
            }
        },
    )
    result: dict[str, Any] = data["result"]
    return result


def round_mutation(server: ApiServer, name: str, pid: str, round_id: str) -> dict[str, Any]:
    stem = name[0].upper() + name[1:]
    data = server.data(
        ROUND_MUTATION % (stem, name, stem), {"input": {"partnershipId": pid, "roundId": round_id}}
    )
    result: dict[str, Any] = data["result"]
    return result


def history(server: ApiServer, pid: str) -> list[dict[str, Any]]:
    data = server.data(HISTORY, {"id": pid})
    return [edge["node"] for edge in data["partnership"]["history"]["edges"]]


def database_text(database: Path) -> str:
    """Every value of every table of the SQLite file, as text."""
    with sqlite3.connect(database) as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        assert "check_in_invitations" in tables
        values = [
            str(value)
            for table in tables
            for row in connection.execute(f'SELECT * FROM "{table}"')
            for value in row
            if value is not None
        ]
    return "\n".join(values)


def test_invitations_and_reminders_are_mailed_and_no_address_outlives_the_close(
    tmp_path: Path, inbox: Inbox, logs: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "accord.db"
    server = serve(database, monkeypatch, logs, f"smtp://127.0.0.1:{inbox.port}")
    try:
        _the_round(server, database, inbox, logs)
    finally:
        server.stop()


def _the_round(server: ApiServer, database: Path, inbox: Inbox, logs: Capture) -> None:
    pid = form_partnership(server)
    opened = open_round(server, pid)
    assert opened["__typename"] == "OpenCheckInRoundSuccess", opened
    assert opened["emailed"] == 5
    assert len(opened["links"]) == 7
    round_id = opened["round"]["id"]

    # One message per address, each with its own link, from the sender.
    mails = inbox.take()
    assert Counter(mail.to for mail in mails) == Counter(ADDRESSES)
    assert all(mail.envelope_to == [mail.to] for mail in mails)
    assert {str(mail.message["From"]) for mail in mails} == {SENDER}
    assert all(not str(mail.message["Subject"]).startswith("Reminder") for mail in mails)
    link_of = {mail.to: mail.link for mail in mails}
    assert len(set(link_of.values())) == 5
    origin = server.url
    assert all(link.startswith(origin + "/check-in/") for link in link_of.values())
    answer_urls = {link["url"] for link in opened["links"]}
    assert set(link_of.values()) <= answer_urls  # the mailed links are among the round's
    tokens = [urlsplit(link).path.rsplit("/", 1)[1] for link in answer_urls]

    # Each mailed link works.
    for link in link_of.values():
        page = server.client.get(urlsplit(link).path)
        assert page.status_code == 200, page.text
        assert "<form" in page.text

    # Two answer; the reminders go to the three others, with their own links again.
    answered = [NHS[0], COUNCIL[1]]
    for address in answered:
        posted = server.client.post(urlsplit(link_of[address]).path, data=GOOD, headers=FORM)
        assert posted.status_code == 200, posted.text
    reminded = round_mutation(server, "remindCheckInRound", pid, round_id)
    assert reminded["__typename"] == "RemindCheckInRoundSuccess", reminded
    assert reminded["event"]["type"] == "CHECK_IN_REMINDERS_SENT"
    reminders = inbox.take()
    expected = [a for a in ADDRESSES if a not in answered]
    assert Counter(mail.to for mail in reminders) == Counter(expected)
    assert all(str(mail.message["Subject"]).startswith("Reminder") for mail in reminders)
    assert {mail.to: mail.link for mail in reminders} == {a: link_of[a] for a in expected}
    sent = [e for e in history(server, pid) if e["type"] == "CHECK_IN_REMINDERS_SENT"]
    assert [e["data"] for e in sent] == [{"roundId": round_id, "count": 3}]

    # Sealed while open: no address in the clear anywhere in the file.
    assert not any(address in database_text(database) for address in ADDRESSES)

    closed = round_mutation(server, "closeCheckInRound", pid, round_id)
    assert closed["__typename"] == "CloseCheckInRoundSuccess", closed
    assert closed["round"]["status"] == "CLOSED"
    assert not inbox.take()  # a close mails no one
    with sqlite3.connect(database) as connection:
        left = connection.execute(
            "SELECT count(*) FROM check_in_invitations "
            "WHERE round_id = ? AND (email IS NOT NULL OR link IS NOT NULL)",
            (round_id,),
        ).fetchone()[0]
    assert left == 0
    text = database_text(database).lower()
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*")).lower()
    for address in ADDRESSES:
        assert address.lower() not in text
        assert address.lower().encode() not in raw
    events = json.dumps(history(server, pid)).lower()
    for address in ADDRESSES:
        assert address.lower() not in events
        assert address.split("@")[0].lower() not in events
    for token in tokens:
        assert token not in events

    # A mailed link now answers 410 (closed).
    assert server.client.get(urlsplit(link_of[NHS[1]]).path).status_code == 410

    assert_nothing_secret_logged(logs, [*ADDRESSES, *tokens])


def test_without_e_mail_a_round_opens_but_reminding_is_refused(
    tmp_path: Path, logs: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serve(tmp_path / "accord.db", monkeypatch, logs, None)
    try:
        pid = form_partnership(server)
        opened = open_round(server, pid)
        assert opened["__typename"] == "OpenCheckInRoundSuccess", opened
        assert opened["emailed"] == 0
        assert len(opened["links"]) == 7  # the links to hand out some other way
        refused = round_mutation(server, "remindCheckInRound", pid, opened["round"]["id"])
        assert refused["__typename"] == "ValidationError", refused
        assert refused["field"] == "roundId"
        assert "e-mail is not configured" in refused["message"]
        assert "ACCORD_SMTP_URL" in refused["message"]
        assert not [e for e in history(server, pid) if e["type"] == "CHECK_IN_REMINDERS_SENT"]
    finally:
        server.stop()


def test_with_the_smtp_server_down_a_round_still_opens(
    tmp_path: Path, logs: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    nothing_listens = free_port()
    server = serve(tmp_path / "accord.db", monkeypatch, logs, f"smtp://127.0.0.1:{nothing_listens}")
    try:
        pid = form_partnership(server)
        opened = open_round(server, pid)
        assert opened["__typename"] == "OpenCheckInRoundSuccess", opened
        assert opened["emailed"] == 0
        assert opened["round"]["status"] == "OPEN"
        urls = [link["url"] for link in opened["links"]]
        assert len(urls) == 7
        assert server.client.get(urlsplit(urls[0]).path).status_code == 200
        # Reminding tries again, mails no one, and records that (count 0).
        reminded = round_mutation(server, "remindCheckInRound", pid, opened["round"]["id"])
        assert reminded["__typename"] == "RemindCheckInRoundSuccess", reminded
        assert reminded["event"]["data"]["count"] == 0
    finally:
        server.stop()
    failures = [line for line in logs.lines() if "e-mails of round" in line]
    # One connection tried per batch, not one per address: the invitations, the reminders.
    assert len(failures) == 2, failures
    assert "invitation" in failures[0] and "reminder" in failures[1]
    tokens = [urlsplit(url).path.rsplit("/", 1)[1] for url in urls]
    assert_nothing_secret_logged(logs, [*ADDRESSES, *tokens])


def test_a_subject_with_line_breaks_is_sent_on_one_line(inbox: Inbox) -> None:
    """A partnership's name may hold line breaks, and an e-mail's subject names it."""
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{inbox.port}", SENDER)
    mailer.send(NHS[0], "How much do you trust Riverside\r\nCare\u2028and\x0bHealth?", "Hello")
    (mail,) = inbox.take()
    assert str(mail.message["Subject"]) == "How much do you trust Riverside Care and Health?"
    assert mail.to == NHS[0] and mail.body.strip() == "Hello"


# ------------------------------------------------- the SMTP password and STARTTLS

PASSWORD = "s3cret-smtp-password"
PLAIN_AUTH = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"  # the careless server's, meant
)


@PLAIN_AUTH
def test_with_a_password_nothing_is_sent_to_a_server_without_starttls(
    tmp_path: Path,
    password_server: PasswordServer,
    logs: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`smtp://user:password@host`: STARTTLS is required, on any host (this one is on
    loopback, as a stripped offer would look): the round opens and its links work, but the
    server gets neither the password nor an e-mail, and the log says why, naming
    ACCORD_SMTP_URL."""
    url = f"smtp://accord:{PASSWORD}@127.0.0.1:{password_server.inbox.port}"
    server = serve(tmp_path / "accord.db", monkeypatch, logs, url)
    try:
        pid = form_partnership(server)
        opened = open_round(server, pid)
        assert opened["__typename"] == "OpenCheckInRoundSuccess", opened
        assert opened["emailed"] == 0
        assert server.client.get(urlsplit(opened["links"][0]["url"]).path).status_code == 200
        reminded = round_mutation(server, "remindCheckInRound", pid, opened["round"]["id"])
        assert reminded["__typename"] == "RemindCheckInRoundSuccess", reminded
        assert reminded["event"]["data"]["count"] == 0
    finally:
        server.stop()
    assert password_server.logins.given == []
    assert password_server.inbox.take() == []
    failures = [line for line in logs.lines() if "e-mails of round" in line]
    assert len(failures) == 2, failures  # the invitations, the reminders
    for line in failures:
        assert "ACCORD_SMTP_URL" in line and "does not offer STARTTLS" in line, line
        assert "the password was not given" in line, line
    tokens = [urlsplit(link["url"]).path.rsplit("/", 1)[1] for link in opened["links"]]
    assert_nothing_secret_logged(logs, [*ADDRESSES, *tokens, PASSWORD])


@PLAIN_AUTH
def test_a_password_goes_in_the_clear_only_with_starttls_off_said_explicitly(
    password_server: PasswordServer,
) -> None:
    port = password_server.inbox.port
    plain = SmtpMailer.from_url(f"smtp://accord:{PASSWORD}@127.0.0.1:{port}", SENDER)
    assert plain.starttls == "require"
    with pytest.raises(SettingsError, match=r"ACCORD_SMTP_URL.*does not offer STARTTLS"):
        plain.send(NHS[0], "Subject", "Hello")
    assert password_server.logins.given == [] and password_server.inbox.take() == []

    with pytest.raises(SettingsError, match=r"ACCORD_SMTP_URL.*starttls=off"):
        SmtpMailer.from_url(
            f"smtp://accord:{PASSWORD}@127.0.0.1:{port}?starttls=opportunistic", SENDER
        )

    told = SmtpMailer.from_url(f"smtp://accord:{PASSWORD}@127.0.0.1:{port}?starttls=off", SENDER)
    told.send(NHS[0], "Subject", "Hello")
    assert password_server.logins.given == [("accord", PASSWORD)]
    (mail,) = password_server.inbox.take()
    assert mail.to == NHS[0] and mail.body.strip() == "Hello"


def test_with_a_password_and_starttls_offered_the_password_and_mail_go_encrypted(
    starttls_server: PasswordServer,
) -> None:
    """The default with a password (`require`) against a server that offers STARTTLS:
    the server, which takes AUTH only once the connection is encrypted, gets both."""
    port = starttls_server.inbox.port
    mailer = SmtpMailer.from_url(f"smtp://accord:{PASSWORD}@127.0.0.1:{port}", SENDER)
    assert mailer.send_all([(NHS[0], "Subject", "Hello"), (NHS[1], "Subject", "Hi")]) == 2
    assert starttls_server.logins.given == [("accord", PASSWORD)]
    assert [mail.to for mail in starttls_server.inbox.take()] == NHS[:2]


def test_without_a_password_starttls_is_used_when_offered_and_required_only_if_asked(
    inbox: Inbox,
) -> None:
    """The test server offers no STARTTLS: without a password the message goes as it is
    (what it says is the link, which `?starttls=require` protects)."""
    SmtpMailer.from_url(f"smtp://127.0.0.1:{inbox.port}", SENDER).send(NHS[0], "S", "Hello")
    assert [mail.to for mail in inbox.take()] == [NHS[0]]
    required = SmtpMailer.from_url(f"smtp://127.0.0.1:{inbox.port}?starttls=require", SENDER)
    with pytest.raises(SettingsError, match=r"ACCORD_SMTP_URL.*does not offer STARTTLS"):
        required.send(NHS[0], "S", "Hello")
    assert inbox.take() == []
