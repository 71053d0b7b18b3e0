"""E-mail by SMTP, for check-in rounds' invitations and reminders (`ACCORD_SMTP_URL`).

`smtps://[user:password@]host[:port]` sends over TLS from the start; `smtp://` in plain
SMTP upgraded by STARTTLS. With a user name and password STARTTLS is required, whatever
the host: a server that does not offer it (or an attacker on the way who strips the offer)
gets neither the password nor any message, and a `SettingsError` naming
`ACCORD_SMTP_URL` says why; only `?starttls=off`, said explicitly, sends them in the
clear (a relay on the same machine, say), and `?starttls=opportunistic` with a password
is refused when the URL is read. Without a password STARTTLS is used when the server
offers it (`?starttls=require` refuses a server that does not, `?starttls=off` never
asks). The sender is `ACCORD_SMTP_FROM`. Nothing here logs an address.
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
    starttls: str = "opportunistic"  # or "require", "off"; with a user, only "off" allows plain
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
        user = unquote(parsed.username or "")
        given = query.get("starttls", [""])[0]
        starttls = given or ("require" if user else "opportunistic")
        if starttls not in ("opportunistic", "require", "off"):
            raise SettingsError("ACCORD_SMTP_URL: starttls= opportunistic, require or off")
        if user and starttls == "opportunistic":
            raise SettingsError(
                "ACCORD_SMTP_URL: with a user name and password, STARTTLS is required (the "
                "default): starttls=opportunistic would send the password in the clear to a "
                "server, or an attacker, that does not offer it; say starttls=off to allow that"
            )
        tls = parsed.scheme == "smtps"
        return cls(
            host=parsed.hostname,
            port=parsed.port or (465 if tls else 25),
            sender=sender,
            tls=tls,
            starttls=starttls,
            user=user,
            password=unquote(parsed.password or ""),
        )

    @property
    def needs_starttls(self) -> bool:
        """Over plain SMTP, whether a server that does not offer STARTTLS is refused:
        when asked to (`require`), and always with a user name unless told `off`."""
        return self.starttls == "require" or (bool(self.user) and self.starttls != "off")

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
                elif self.needs_starttls:
                    raise SettingsError(
                        f"ACCORD_SMTP_URL: the SMTP server {self.host}:{self.port} does not "
                        "offer STARTTLS, so nothing was sent"
                        + (" and the password was not given" if self.user else "")
                        + " (it would have gone in the clear): use a server that offers "
                        "STARTTLS, smtps://, or starttls=off if the way to it is trusted"
                    )
            if self.user:
                smtp.login(self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp
