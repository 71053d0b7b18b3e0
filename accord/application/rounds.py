"""Trust check-in rounds: the people of each partner answer by a private link, anonymously.

A round is recorded as events with no personal data (`CheckInRoundOpened`,
`CheckInRemindersSent`, `CheckInRoundClosed`, and the check-ins it records at its close).
What it needs while open lives beside the event store, in a `RoundStore`:

- one invitation per person asked, looked up by the SHA-256 of its link's token; until it
  is used (or the round closes) the link itself, and the person's e-mail address if
  given, are kept sealed under a key derived from the audit key (which is kept outside
  the database), so that an ADMIN can list the unused links again;
- the answers, each sealed under the round's own key (itself kept sealed under the audit
  key, and destroyed at the close), with no timestamp and nothing naming the invitation:
  using a link only marks the invitation used and forgets its link and address.

At the close the round's check-ins are worked out from the answers (for each (partner,
about) pair with at least the round's minimum of answers, the unrounded mean of each
item), recorded with the close in one save, and then the answers, the round's key, the
links and the addresses are deleted.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import random
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import orjson

from accord.application.oidc_actors import OIDC_PREFIX
from accord.application.service import AccordApplication, Outcome
from accord.domain.catalogue import CHECK_IN_ROUND_CLOSED, TRUST_CHECK_IN_RECORDED
from accord.domain.commands import Command, read_idempotency_key
from accord.domain.errors import DomainError, invalid, not_found
from accord.domain.fields import identifier, instant, integer, storable_text
from accord.domain.instants import format_instant
from accord.domain.rules import rounds_of
from accord.domain.values import LONG_TEXT_LIMIT, AccessRole
from accord.settings import SettingsError

log = logging.getLogger("accord.rounds")

ITEMS = ("reliability", "openness", "respect", "sharedOwnership")
"""The four items of a check-in, as the API and the answer form name them."""
ITEM_WORDING: dict[str, str] = {
    "reliability": "They do what they say they will do",
    "openness": "They share information openly, including bad news",
    "respect": "They treat us as an equal partner and value what we bring",
    "sharedOwnership": "They take shared ownership of our goals and of problems",
}
"""What each item asks (of the partnership, or of one partner): 1 strongly disagree to 5
strongly agree."""
ACTOR_PREFIX = "check-in-round:"
"""The actor a round's own records carry: `check-in-round:<roundId>`."""
TOKEN_BYTES = 32
"""A link's token: 256 random bits."""
MAX_ROUND_DAYS = 366
MAX_INVITATIONS = 10_000
EMAIL_LIMIT = 320
EMAIL = re.compile(r"[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,255}\Z")


def round_actor(round_id: str) -> str:
    return ACTOR_PREFIX + round_id


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class RoundStatus(StrEnum):
    OPEN = "OPEN"
    CLOSING = "CLOSING"
    """The close has begun: no more answers; its events may or may not be recorded yet."""
    CLOSED = "CLOSED"


class Refusal(StrEnum):
    """Why a link cannot be used, with the HTTP status the answer page gives it."""

    UNKNOWN = "UNKNOWN"
    USED = "USED"
    CLOSED = "CLOSED"

    @property
    def status(self) -> int:
        return {"UNKNOWN": 404, "USED": 409, "CLOSED": 410}[self.value]

    @property
    def message(self) -> str:
        return {
            "UNKNOWN": "This link is not one we know. Check that it was copied whole.",
            "USED": "This link has already been used to answer. Each link answers once.",
            "CLOSED": "This check-in has closed, so it takes no more answers. Thank you.",
        }[self.value]


class RoundRefused(Exception):
    """A link that cannot be used (`refusal` says why); nothing was stored."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


# ------------------------------------------------------------------------- sealing


class Seal:
    """AES-256-GCM under a key; sealed values are base64 text (for any database)."""

    # cryptography is imported when first used: a command line that opens no round
    # does not pay for loading it.

    def __init__(self, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)

    @classmethod
    def derived(cls, audit_key: bytes, purpose: str) -> Seal:
        """A key for `purpose`, derived from the audit key (HKDF-SHA256)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        kdf = HKDF(hashes.SHA256(), 32, salt=None, info=f"accord {purpose}".encode())
        return cls(kdf.derive(audit_key))

    @staticmethod
    def new_key() -> bytes:
        return secrets.token_bytes(32)

    def seal(self, plain: bytes, context: str) -> str:
        nonce = secrets.token_bytes(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain, context.encode())).decode()

    def open(self, sealed: str, context: str) -> bytes:
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], context.encode())


# ------------------------------------------------------------------------- storage


@dataclass(frozen=True)
class StoredRound:
    round_id: str
    partnership_id: str
    closes_at: datetime
    status: RoundStatus
    info: dict[str, Any]
    """What the answer page shows: the partnership's and partners' names, who asks."""


@dataclass(frozen=True)
class NewInvitation:
    token_hash: str
    partner_id: str
    link: str  # sealed
    email: str | None  # sealed


@dataclass(frozen=True)
class Opened:
    """An unused link's invitation, found by its token."""

    round: StoredRound
    partner_id: str


@dataclass(frozen=True)
class Collected:
    """What a closing round holds: its key (sealed), its invitations per partner, and
    its answers (sealed)."""

    round_key: str | None
    invited: dict[str, int]
    answered: dict[str, int]
    answers: list[str]


class RoundStore(Protocol):
    """Where open rounds keep their invitations and answers (`accord.storage.rounds`)."""

    def create(
        self,
        stored: StoredRound,
        round_key: str,
        invitations: Sequence[NewInvitation],
    ) -> bool:
        """Store a new round and its invitations in one transaction; False (nothing
        stored) if the round id is already stored."""

    def find(self, round_id: str) -> StoredRound | None: ...

    def discard(self, round_id: str) -> None:
        """Forget a round that was never recorded: its invitations, answers and row."""

    def invitation(self, token_hash: str) -> tuple[StoredRound, str, bool] | None:
        """(round, partner id, used) for a token's hash, or None."""

    def answer(
        self, token_hash: str, now: datetime, sealed: Callable[[str], str]
    ) -> Refusal | None:
        """In one transaction: refuse (returning why) unless the invitation exists, is
        unused and its round open before its `closes_at`; else mark it used, forget its
        link and address, and store `sealed(round_key)` as an answer naming no one."""

    def links(self, round_id: str) -> list[tuple[str, str, str | None]]:
        """(partner id, sealed link, sealed e-mail) of each unused invitation."""

    def answered(self, round_id: str) -> dict[str, int] | None:
        """Used invitations by partner while the round is OPEN; None otherwise."""

    def start_close(self, round_id: str) -> Collected | None:
        """Mark the round CLOSING (no more answers) and collect what it holds; None if
        it is already CLOSED or unknown."""

    def finish_close(self, round_id: str) -> None:
        """Delete the answers, the round's key, the links and addresses; mark it CLOSED."""

    def due(self, now: datetime) -> list[StoredRound]:
        """Rounds not CLOSED whose `closes_at` has come, and rounds left CLOSING."""


class Mailer(Protocol):
    """Sends plain-text e-mails (`accord.mail.SmtpMailer`)."""

    def send_all(self, messages: Sequence[tuple[str, str, str]]) -> int:
        """Send each (to, subject, body); how many were taken. Raises if none could be
        sent at all (the server cannot be reached; SettingsError when the setting forbids
        sending to this server, its message naming the setting and no address)."""


# ---------------------------------------------------------------------- the rounds


@dataclass(frozen=True)
class InvitationInput:
    partner_id: str
    count: int | None
    emails: tuple[str, ...]


@dataclass(frozen=True)
class RoundLink:
    partner_id: str
    path: str  # /check-in/<token>


@dataclass(frozen=True)
class OpenedRound:
    outcome: Outcome
    round_id: str
    links: list[RoundLink]
    emailed: int


@dataclass(frozen=True)
class AnswerPage:
    """What the answer page shows for a usable link."""

    round_id: str
    partnership_name: str
    asked_by: str
    partner_id: str
    partner_name: str
    others: list[tuple[str, str]]  # (id, name) of the other partners to answer about
    closes_at: datetime
    keep_notes: bool
    minimum: int
    """The fewest answers for which a partner's check-in is recorded."""


@dataclass
class _Pair:
    count: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ITEMS, 0.0))
    notes: list[str] = field(default_factory=list)


class CheckInRounds:
    """Opens, answers, reminds and closes check-in rounds over the write side and a
    `RoundStore`."""

    def __init__(
        self,
        app: AccordApplication,
        store: RoundStore,
        audit_key: bytes,
        *,
        mailer: Mailer | None = None,
        sender: str = "",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self._audit_key = audit_key
        self._seals: dict[str, Seal] = {}
        self.mailer = mailer
        self.sender = sender
        self._clock = clock or app._clock

    def now(self) -> datetime:
        return self._clock()

    def _seal(self, purpose: str) -> Seal:
        seal = self._seals.get(purpose)
        if seal is None:
            seal = self._seals[purpose] = Seal.derived(self._audit_key, purpose)
        return seal

    @property
    def links_seal(self) -> Seal:
        """Links and addresses, under a key derived from the audit key."""
        return self._seal("check-in links")

    @property
    def keys_seal(self) -> Seal:
        """Rounds' own keys, under a key derived from the audit key."""
        return self._seal("check-in round keys")

    # ------------------------------------------------------------------ open

    def open(
        self,
        raw: Mapping[str, Any],
        *,
        actor: str,
        enforce_access: bool,
        names: Mapping[str, str],
        partnership_name: str,
        public_url: str = "",
    ) -> OpenedRound:
        """Open a round from `openCheckInRound`'s input; `names` are the partners'
        names (for the answer page). Raises DomainError, Forbidden or VersionConflict."""
        partnership_id = self.app._partnership_id(raw.get("partnershipId"))
        if enforce_access:
            self.app.check_access(partnership_id, actor, AccessRole.ADMIN)
        now = self.now()
        closes_at, minimum, invitations = _read_open(raw, now)
        key = read_idempotency_key(raw)  # before a round id is derived from it
        round_id = (
            "round-"
            + uuid.uuid5(uuid.NAMESPACE_URL, f"{partnership_id}\x00{actor}\x00{key}").hex[:20]
            if isinstance(key, str)
            else "round-" + secrets.token_hex(10)
        )
        about_partners = bool(raw.get("aboutPartners") or False)
        keep_notes = bool(raw.get("keepNotes") or False)
        command = {
            "partnershipId": str(partnership_id),
            "roundId": round_id,
            "closesAt": format_instant(closes_at),
            "minimumResponses": minimum,
            "aboutPartners": about_partners,
            "keepNotes": keep_notes,
            "invitations": [{"partnerId": i.partner_id, "count": i.count} for i in invitations],
        }
        for common in ("occurredAt", "expectedVersion", "idempotencyKey"):
            if raw.get(common) is not None:
                command[common] = raw[common]
        partnership = self.app.partnership(partnership_id)
        recorded = round_id in rounds_of(partnership)
        created = False
        if not recorded:
            if self.store.find(round_id) is not None:  # stored, never recorded: start again
                self.store.discard(round_id)
            others = (
                [(pid, names.get(pid, pid)) for pid in _active_partners(partnership)]
                if about_partners
                else []
            )
            info = {
                "partnershipName": partnership_name,
                "askedBy": self._asked_by(actor, partnership_name),
                "names": {i.partner_id: names.get(i.partner_id, i.partner_id) for i in invitations},
                "minimum": minimum,
                "others": others,
                "keepNotes": keep_notes,
            }
            stored = StoredRound(round_id, str(partnership_id), closes_at, RoundStatus.OPEN, info)
            round_key = self.keys_seal.seal(Seal.new_key(), round_id)
            created = self.store.create(stored, round_key, self._invitations(round_id, invitations))
        try:
            outcome = self.app.execute(
                "openCheckInRound", command, actor=actor, enforce_access=enforce_access
            )
        except BaseException:
            if created:
                self.store.discard(round_id)
            raise
        links = self.unused_links(round_id)
        emailed = 0
        if not outcome.replayed and self.mailer is not None:
            emailed = self._mail(round_id, public_url, reminder=False)
        return OpenedRound(outcome, round_id, links, emailed)

    def _asked_by(self, actor: str, partnership_name: str) -> str:
        """Who the answer page says is asking: the actor's name, but for a person signed
        in with single sign-on the name they signed in with (their actor id, `oidc:` and
        32 hex digits, would tell the people asked nothing, and look like phishing), or
        else "an administrator of" the partnership."""
        if not actor.startswith(OIDC_PREFIX):
            return actor
        directory = self.app.directory
        display = directory.oidc_display(actor) if directory is not None else None
        if display and display.strip() and display.strip() != actor:
            return display.strip()
        return f"an administrator of {partnership_name or 'the partnership'}"

    def _invitations(
        self, round_id: str, invitations: Sequence[InvitationInput]
    ) -> list[NewInvitation]:
        made: list[NewInvitation] = []
        for invitation in invitations:
            count = invitation.count or len(invitation.emails)
            emails: list[str | None] = [*invitation.emails]
            emails += [None] * (count - len(emails))
            for email in emails:
                token = secrets.token_urlsafe(TOKEN_BYTES)
                made.append(
                    NewInvitation(
                        token_digest(token),
                        invitation.partner_id,
                        self.links_seal.seal(token.encode(), round_id),
                        self.links_seal.seal(email.encode(), round_id) if email else None,
                    )
                )
        random.SystemRandom().shuffle(made)  # the order stored says nothing of who is who
        return made

    def unused_links(self, round_id: str) -> list[RoundLink]:
        """The links of the round's unused invitations (none once it has closed)."""
        return sorted(
            (
                RoundLink(partner_id, "/check-in/" + self.links_seal.open(link, round_id).decode())
                for partner_id, link, _ in self.store.links(round_id)
            ),
            key=lambda link: link.partner_id,
        )

    def answered(self, round_id: str) -> dict[str, int] | None:
        """How many have answered so far, by partner, while the round is open (None once
        it is closing or closed): never which links were used."""
        return self.store.answered(round_id)

    def round_links(self, round_id: str, *, actor: str, enforce_access: bool) -> list[RoundLink]:
        """`accord round links`: the unused links, for an ADMIN of the round's partnership."""
        stored = self.store.find(round_id)
        if stored is None:
            raise not_found("roundId", f"no check-in round '{round_id}'")
        if enforce_access:
            self.app.check_access(uuid.UUID(stored.partnership_id), actor, AccessRole.ADMIN)
        return self.unused_links(round_id)

    # --------------------------------------------------------------- answer

    def page(self, token: str) -> AnswerPage:
        """What the answer page shows for a link; raises RoundRefused."""
        found = self.store.invitation(token_digest(token)) if _plausible(token) else None
        if found is None:
            raise RoundRefused(Refusal.UNKNOWN)
        stored, partner_id, used = found
        if stored.status is not RoundStatus.OPEN or self.now() >= stored.closes_at:
            raise RoundRefused(Refusal.CLOSED)
        if used:
            raise RoundRefused(Refusal.USED)
        info = stored.info
        partnership_name = str(info.get("partnershipName", ""))
        return AnswerPage(
            round_id=stored.round_id,
            partnership_name=partnership_name,
            # A round opened before the name was kept holds the actor id: named now.
            asked_by=self._asked_by(str(info.get("askedBy", "")), partnership_name),
            partner_id=partner_id,
            partner_name=str(info.get("names", {}).get(partner_id, partner_id)),
            others=[(str(p), str(n)) for p, n in info.get("others", []) if p != partner_id],
            closes_at=stored.closes_at,
            keep_notes=bool(info.get("keepNotes")),
            minimum=int(info.get("minimum", 3)),
        )

    def answer(self, token: str, form: Mapping[str, str]) -> None:
        """Store one answer from the answer page's form. Raises RoundRefused (nothing
        stored) or DomainError naming the form's field (nothing stored)."""
        page = self.page(token)  # refusals before the form's own problems
        answer = read_answer(form, [pid for pid, _ in page.others], keep_notes=page.keep_notes)
        answer["partner"] = page.partner_id
        plain = orjson.dumps(answer)

        def sealed(round_key: str) -> str:
            key = self.keys_seal.open(round_key, page.round_id)
            return Seal(key).seal(plain, page.round_id)

        refusal = self.store.answer(token_digest(token), self.now(), sealed)
        if refusal is not None:
            raise RoundRefused(refusal)

    # --------------------------------------------------------------- remind

    def remind(
        self, raw: Mapping[str, Any], *, actor: str, enforce_access: bool, public_url: str = ""
    ) -> Outcome:
        """E-mail those of an open round who have not answered; records the count."""
        partnership_id = self.app._partnership_id(raw.get("partnershipId"))
        if enforce_access:
            self.app.check_access(partnership_id, actor, AccessRole.ADMIN)
        round_id = str(raw.get("roundId") or "")
        stored = self._round_of(partnership_id, round_id)
        if stored.status is not RoundStatus.OPEN:
            raise invalid("roundId", "the check-in round has closed")
        if self.mailer is None:
            raise invalid("roundId", "e-mail is not configured on this server (ACCORD_SMTP_URL)")
        sent = self._mail(round_id, public_url, reminder=True)
        return self.app.execute(
            "remindCheckInRound",
            {"partnershipId": str(partnership_id), "roundId": round_id, "count": sent},
            actor=actor,
            enforce_access=enforce_access,
        )

    def _mail(self, round_id: str, public_url: str, *, reminder: bool) -> int:
        stored = self.store.find(round_id)
        if stored is None or self.mailer is None:
            return 0
        name = str(stored.info.get("partnershipName", "the partnership"))
        closes = stored.closes_at.strftime("%d %B %Y")
        messages: list[tuple[str, str, str]] = []
        for _, link, email in self.store.links(round_id):
            if email is None:
                continue
            address = self.links_seal.open(email, round_id).decode()
            url = (
                public_url.rstrip("/")
                + "/check-in/"
                + self.links_seal.open(link, round_id).decode()
            )
            subject = (
                f"Reminder: how much do you trust {name}?"
                if reminder
                else f"How much do you trust {name}? (anonymous, 2 minutes)"
            )
            body = (
                f"{'A reminder: ' if reminder else ''}{name} asks the people of its partners "
                "how much they trust the partnership.\n\n"
                f"Answer here (your own private link, for one answer): {url}\n\n"
                f"It closes on {closes}. Your answer is anonymous: it is kept apart from this "
                "link, and only the average of at least "
                f"{stored.info.get('minimum', 3)} answers is ever recorded.\n"
            )
            messages.append((address, subject, body))
        try:
            sent = self.mailer.send_all(messages)
        except Exception as error:  # the server is down: the links still work
            # Only the error's kind (an SMTP error may quote an address), or, for a setting
            # that refuses (STARTTLS not offered, say), its message, which names the setting.
            log.warning(
                "the %s e-mails of round %s were not sent: %s",
                "reminder" if reminder else "invitation",
                round_id,
                str(error) if isinstance(error, SettingsError) else type(error).__name__,
            )
            return 0
        if sent < len(messages):
            log.warning(
                "%d of the e-mails of round %s were refused", len(messages) - sent, round_id
            )
        return sent

    # ---------------------------------------------------------------- close

    def close(self, raw: Mapping[str, Any], *, actor: str, enforce_access: bool) -> list[Outcome]:
        """`closeCheckInRound`: close an open round now, as `actor`."""
        partnership_id = self.app._partnership_id(raw.get("partnershipId"))
        if enforce_access:
            self.app.check_access(partnership_id, actor, AccessRole.ADMIN)
        round_id = str(raw.get("roundId") or "")
        stored = self._round_of(partnership_id, round_id)
        if stored.status is RoundStatus.CLOSED:
            raise invalid("roundId", "the check-in round has closed")
        return self._close(stored, actor)

    def close_due(self) -> int:
        """Close every round whose time has come (and finish any close left half-done);
        the number closed. The projection worker and the single process call this."""
        closed = 0
        for stored in self.store.due(self.now()):
            try:
                self._close(stored, round_actor(stored.round_id))
                closed += 1
            except Exception as error:
                log.warning("closing check-in round %s failed: %s", stored.round_id, error)
        return closed

    def _round_of(self, partnership_id: uuid.UUID, round_id: str) -> StoredRound:
        identifier(round_id, "roundId")
        stored = self.store.find(round_id)
        if stored is None or stored.partnership_id != str(partnership_id):
            raise not_found("roundId", f"no check-in round '{round_id}' in this partnership")
        return stored

    def _close(self, stored: StoredRound, actor: str) -> list[Outcome]:
        partnership_id = uuid.UUID(stored.partnership_id)
        round_id = stored.round_id
        partnership = self.app.partnership(partnership_id)
        state = rounds_of(partnership).get(round_id)
        if state is None:  # stored, but its opening was never recorded
            self.store.discard(round_id)
            raise not_found("roundId", f"no check-in round '{round_id}' in this partnership")
        if state["status"] != "OPEN":  # recorded already: only the clean-up was left
            self.store.finish_close(round_id)
            return []
        collected = self.store.start_close(round_id)
        if collected is None:
            return []
        pairs = self._pairs(round_id, collected)
        minimum, keep_notes = int(state["minimum"]), bool(state["keep_notes"])
        active = set(_active_partners(partnership))
        partners = [
            {
                "partnerId": item["partnerId"],
                "invited": collected.invited.get(item["partnerId"], 0),
                "answered": collected.answered.get(item["partnerId"], 0),
            }
            for item in state["invitations"]
        ]
        commands: list[tuple[Command, str]] = [
            (
                Command(
                    CHECK_IN_ROUND_CLOSED,
                    stored.partnership_id,
                    {"roundId": round_id, "partners": partners},
                    None,
                    None,
                    None,
                ),
                actor,
            )
        ]
        for (respondent, about), pair in sorted(
            pairs.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        ):
            if pair.count < minimum or respondent not in active:
                continue
            if about is not None and about not in active:
                continue
            fields: dict[str, Any] = {
                "respondentId": respondent,
                "aboutId": about,
                **{item: pair.sums[item] / pair.count for item in ITEMS},
                "note": None,
                "responses": pair.count,
                "roundId": round_id,
                "notes": None,
            }
            if keep_notes and pair.notes:
                notes = list(pair.notes)
                random.SystemRandom().shuffle(notes)
                fields["notes"] = notes
            commands.append(
                (
                    Command(
                        TRUST_CHECK_IN_RECORDED, stored.partnership_id, fields, None, None, None
                    ),
                    round_actor(round_id),
                )
            )
        outcomes = self.app.record_commands(partnership_id, commands)
        self.store.finish_close(round_id)
        return outcomes

    def _pairs(self, round_id: str, collected: Collected) -> dict[tuple[str, str | None], _Pair]:
        pairs: dict[tuple[str, str | None], _Pair] = {}
        if collected.round_key is None:
            return pairs
        key = Seal(self.keys_seal.open(collected.round_key, round_id))
        for sealed in collected.answers:
            answer = orjson.loads(key.open(sealed, round_id))
            respondent = str(answer["partner"])
            for about, items in answer["items"].items():
                pair = pairs.setdefault((respondent, about or None), _Pair())
                pair.count += 1
                for item in ITEMS:
                    pair.sums[item] += items[item]
                if not about and answer.get("note"):
                    pair.notes.append(str(answer["note"]))
        return pairs


def _plausible(token: str) -> bool:
    return (
        20 <= len(token) <= 100
        and token.isascii()
        and re.fullmatch(r"[A-Za-z0-9_-]+", token) is not None
    )


def _active_partners(partnership: Any) -> list[str]:
    """The partners active now, in the order they first joined."""
    return [
        subject.removeprefix("partner:")
        for subject, timeline in partnership.timelines.items()
        if subject.startswith("partner:") and timeline.get("tail", {}).get("active")
    ]


def _read_open(
    raw: Mapping[str, Any], now: datetime
) -> tuple[datetime, int, list[InvitationInput]]:
    """openCheckInRound's own input, checked (the event's fields are checked again when
    it is recorded)."""
    if raw.get("closesAt") is None:
        raise invalid("closesAt", "is required")
    closes_at = instant.check(raw["closesAt"], "closesAt")
    if closes_at <= now:
        raise invalid("closesAt", "must be in the future")
    if closes_at > now + timedelta(days=MAX_ROUND_DAYS):
        raise invalid("closesAt", f"must be within {MAX_ROUND_DAYS} days")
    minimum = raw.get("minimumResponses")
    minimum = (
        3 if minimum is None else integer(3, MAX_INVITATIONS).check(minimum, "minimumResponses")
    )
    given = raw.get("invitations")
    if not isinstance(given, list | tuple) or not given:
        raise invalid("invitations", "must list at least one partner's invitations")
    invitations: list[InvitationInput] = []
    total = 0
    for index, item in enumerate(given):
        path = f"invitations.{index}"
        if not isinstance(item, Mapping):
            raise invalid(path, "must be {partnerId, count, emails}")
        if item.get("partnerId") is None:
            raise invalid(f"{path}.partnerId", "is required")
        partner_id = identifier(item["partnerId"], f"{path}.partnerId")
        emails_given = item.get("emails") or []
        if not isinstance(emails_given, list | tuple):
            raise invalid(f"{path}.emails", "must be a list of e-mail addresses")
        emails: list[str] = []
        for number, email in enumerate(emails_given):
            field = f"{path}.emails.{number}"
            if not isinstance(email, str):
                raise invalid(field, "must be an e-mail address")
            if len(email) > EMAIL_LIMIT:
                raise invalid(
                    field, f"must be at most {EMAIL_LIMIT:,} characters (got {len(email):,})"
                )
            storable_text(email, field)
            if not EMAIL.match(email.strip()):
                raise invalid(field, "must be an e-mail address")
            if email.strip().lower() in {e.lower() for e in emails}:
                raise invalid(f"{path}.emails.{number}", "is given twice")
            emails.append(email.strip())
        count = item.get("count")
        if count is None:
            if not emails:
                raise invalid(f"{path}.count", "is required when no e-mail addresses are given")
            count = len(emails)
        count = integer(1, MAX_INVITATIONS).check(count, f"{path}.count")
        if count < len(emails):
            raise invalid(
                f"{path}.count", f"must be at least the number of e-mails ({len(emails)})"
            )
        total += count
        invitations.append(InvitationInput(partner_id, count, tuple(emails)))
    if total > MAX_INVITATIONS:
        raise invalid("invitations", f"at most {MAX_INVITATIONS:,} invitations in one round")
    return closes_at, minimum, invitations


def read_answer(
    form: Mapping[str, str], others: Iterable[str], *, keep_notes: bool
) -> dict[str, Any]:
    """The answer page's form, checked: the four items about the partnership (required),
    about each other partner (all four or none), and a note when the round keeps notes
    (a `note`, even empty, is refused when it does not: the page has no such control,
    and what someone wrote must not be taken only to be thrown away). Raises DomainError
    naming the form's control."""
    others = list(others)
    if "note" in form and not keep_notes:
        raise invalid("note", "is not a question of this check-in: it records no notes")
    known = {*ITEMS, "note"} | {f"about.{p}.{item}" for p in others for item in ITEMS}
    for name in form:
        if name not in known:
            raise invalid(name, "is not a question of this check-in")
    items: dict[str, dict[str, int]] = {"": _items(form, "", required=True)}
    for partner in others:
        given = _items(form, f"about.{partner}.", required=False)
        if given:
            items[partner] = given
    note = (form.get("note") or "").strip()
    if len(note) > LONG_TEXT_LIMIT:
        raise invalid("note", f"must be at most {LONG_TEXT_LIMIT:,} characters")
    if "\x00" in note:
        raise invalid("note", "must not contain NUL characters")
    return {"items": items, "note": note or None}


def _items(form: Mapping[str, str], prefix: str, *, required: bool) -> dict[str, int]:
    values = {item: (form.get(prefix + item) or "").strip() for item in ITEMS}
    if not required and not any(values.values()):
        return {}
    read: dict[str, int] = {}
    for item, value in values.items():
        if not value:
            raise invalid(prefix + item, "needs an answer from 1 to 5")
        if value not in {"1", "2", "3", "4", "5"}:
            raise invalid(prefix + item, "must be a whole number from 1 to 5")
        read[item] = int(value)
    return read


__all__ = [
    "ACTOR_PREFIX",
    "ITEMS",
    "ITEM_WORDING",
    "AnswerPage",
    "CheckInRounds",
    "DomainError",
    "Mailer",
    "OpenedRound",
    "Refusal",
    "RoundLink",
    "RoundRefused",
    "RoundStatus",
    "RoundStore",
    "StoredRound",
    "read_answer",
    "round_actor",
]
