"""E-mail by SMTP, for check-in rounds' invitations and reminders (`ACCORD_SMTP_URL`).

`smtp://[user:password@]host[:port]` sends in plain SMTP upgraded by STARTTLS when the
server offers it (`?starttls=require` refuses a server that does not), `smtps://` over
TLS from the start; the sender is `ACCORD_SMTP_FROM`. Nothing here logs an address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from accord.settings import SettingsError


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    tls: bool = False  # TLS from the start (smtps)
    starttls: str = "opportunistic"  # or "require", "off"
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 10.0

    @classmethod
    def from_url(cls, url: str, sender: str) -> SmtpMailer:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise SettingsError("ACCORD_SMTP_URL: smtp://host[:port] or smtps://host[:port]")
        if not sender or "@" not in sender:
            raise SettingsError("ACCORD_SMTP_FROM: the sender's address is needed with SMTP")
        query = parse_qs(parsed.query)
        starttls = query.get("starttls", ["opportunistic"])[0]
        if starttls not in ("opportunistic", "require", "off"):
            raise SettingsError("ACCORD_SMTP_URL: starttls= opportunistic, require or off")
        tls = parsed.scheme == "smtps"
        return cls(
            host=parsed.hostname,
            port=parsed.port or (465 if tls else 25),
            sender=sender,
            tls=tls,
            starttls=starttls,
            user=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
        )

    def send_all(self, messages: Sequence[tuple[str, str, str]]) -> int:
        """Send each (to, subject, body) over one connection; how many the server took.
        An address the server refuses is skipped; a server that cannot be reached, or
        goes away, ends the batch (each connection attempt waits at most `timeout`)."""
        import smtplib  # when first used: most processes never send e-mail

        if not messages:
            return 0
        sent = 0
        with self._connect() as smtp:
            for to, subject, body in messages:
                try:
                    smtp.send_message(self._message(to, subject, body))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                    continue  # this address, not the server
                sent += 1
        return sent

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one message (raises if it is not taken)."""
        if self.send_all([(to, subject, body)]) != 1:
            raise OSError("the SMTP server refused the message")

    def _message(self, to: str, subject: str, body: str) -> Any:
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        # A header may hold no line break: a partnership's name may (a subject names it).
        message["Subject"] = " ".join(subject.split())
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        return message

    def _connect(self) -> Any:
        import smtplib
        import ssl

        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if not self.tls and self.starttls != "off":
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                elif self.starttls == "require":
                    raise smtplib.SMTPNotSupportedError("the SMTP server does not offer STARTTLS")
            if self.user:
                smtp.login(self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp
