"""The event types of a partnership's history, as `IndexedEvent.type` spells them: the
type names of the catalogue's kinds (`accord.domain.catalogue`), named here for the read
functions that match on them, and grouped by what each kind is about."""

from __future__ import annotations

from typing import Final

from accord.domain import catalogue
from accord.domain.catalogue import About, types_about

PARTNERSHIP_FORMED: Final = catalogue.PARTNERSHIP_FORMED.type_name
PARTNER_JOINED: Final = catalogue.PARTNER_JOINED.type_name
PARTNER_LEFT: Final = catalogue.PARTNER_LEFT.type_name
GOAL_SET: Final = catalogue.GOAL_SET.type_name
GOAL_REVISED: Final = catalogue.GOAL_REVISED.type_name
GOAL_ENDORSED: Final = catalogue.GOAL_ENDORSED.type_name
GOAL_REAFFIRMED: Final = catalogue.GOAL_REAFFIRMED.type_name
GOAL_RETIRED: Final = catalogue.GOAL_RETIRED.type_name
DECISION_RECORDED: Final = catalogue.DECISION_RECORDED.type_name
COMMITMENT_MADE: Final = catalogue.COMMITMENT_MADE.type_name
COMMITMENT_DELIVERED: Final = catalogue.COMMITMENT_DELIVERED.type_name
COMMITMENT_RELEASED: Final = catalogue.COMMITMENT_RELEASED.type_name
RISK_SHARES_AGREED: Final = catalogue.RISK_SHARES_AGREED.type_name
LEADER_APPOINTED: Final = catalogue.LEADER_APPOINTED.type_name
LEADER_DEPARTED: Final = catalogue.LEADER_DEPARTED.type_name
TRUST_CHECK_IN_RECORDED: Final = catalogue.TRUST_CHECK_IN_RECORDED.type_name
ENTRY_RETRACTED: Final = catalogue.ENTRY_RETRACTED.type_name
ROLE_GRANTED: Final = catalogue.ROLE_GRANTED.type_name
ROLE_REVOKED: Final = catalogue.ROLE_REVOKED.type_name
CHECK_IN_ROUND_OPENED: Final = catalogue.CHECK_IN_ROUND_OPENED.type_name
CHECK_IN_REMINDERS_SENT: Final = catalogue.CHECK_IN_REMINDERS_SENT.type_name
CHECK_IN_ROUND_CLOSED: Final = catalogue.CHECK_IN_ROUND_CLOSED.type_name

GOAL_EVENTS: Final = types_about(About.GOALS)
COMMITMENT_EVENTS: Final = types_about(About.COMMITMENTS)
LEADERSHIP_EVENTS: Final = types_about(About.LEADERSHIP)
PARTNER_EVENTS: Final = types_about(About.PARTNERS)
# Events about the record itself rather than the partnership: never in a metric or
# on the timeline.
RECORD_EVENTS: Final = types_about(About.RECORD)
