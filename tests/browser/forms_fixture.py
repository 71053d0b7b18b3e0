"""A local copy of the `/forms.json` contract (issue 14), served to the page by the browser
tests only while the server does not serve `/forms.json` itself (404)."""

from __future__ import annotations

from typing import Any


def _options(*values: str) -> list[dict[str, str]]:
    return [{"value": v, "label": v.replace("_", " ").capitalize()} for v in values]


def _f(name: str, label: str, control: str, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "help": "",
        "control": control,
        "required": required,
        **extra,
    }


def _k(
    mutation: str,
    type_: str,
    title: str,
    section: str,
    fields: list[dict[str, Any]],
    needs: str = "RECORDER",
    in_partnership: bool = True,
) -> dict[str, Any]:
    return {
        "mutation": mutation,
        "type": type_,
        "title": title,
        "help": "",
        "section": section,
        "needs": needs,
        "inPartnership": in_partnership,
        "fields": fields,
    }


REASON = _f("reason", "Reason", "textarea", True, maxLength=5000)
SECTORS = _options(
    "NHS_TRUST",
    "LOCAL_AUTHORITY",
    "PRIMARY_CARE",
    "VOLUNTARY_SECTOR",
    "ACADEMIC",
    "PRIVATE",
    "OTHER",
)

CATALOGUE: dict[str, Any] = {
    "timeZone": "Europe/London",
    "common": [
        _f(
            "occurredAt",
            "When it happened",
            "datetime",
            help="Leave as now, or set an earlier moment to backdate the entry.",
        ),
    ],
    "kinds": [
        _k(
            "formPartnership",
            "PARTNERSHIP_FORMED",
            "New partnership",
            "RECORD",
            [
                _f("name", "Name", "text", True, maxLength=200),
                _f("purpose", "Purpose", "textarea", True, maxLength=5000),
            ],
            in_partnership=False,
        ),
        _k(
            "joinPartner",
            "PARTNER_JOINED",
            "A partner joins",
            "PARTNERS",
            [
                _f("partnerId", "Short id (optional)", "id"),
                _f("name", "Name", "text", True, maxLength=200),
                _f("sector", "Sector", "select", True, options=SECTORS),
            ],
        ),
        _k(
            "recordPartnerLeaving",
            "PARTNER_LEFT",
            "A partner leaves",
            "PARTNERS",
            [
                _f("partnerId", "Partner", "partner", True),
                _f("reason", "Reason", "textarea", maxLength=5000),
            ],
        ),
        _k(
            "setGoal",
            "GOAL_SET",
            "Set a goal",
            "GOALS",
            [
                _f("goalId", "Short id (optional)", "id"),
                _f("statement", "Statement", "textarea", True, maxLength=5000),
            ],
        ),
        _k(
            "reviseGoal",
            "GOAL_REVISED",
            "Revise a goal",
            "GOALS",
            [
                _f("goalId", "Goal", "goal", True),
                _f("statement", "New statement", "textarea", True, maxLength=5000),
                REASON,
            ],
        ),
        _k(
            "endorseGoal",
            "GOAL_ENDORSED",
            "Endorse a goal",
            "GOALS",
            [
                _f("goalId", "Goal", "goal", True),
                _f("partnerId", "Partner", "partner", True),
                _f("version", "Version of the goal", "integer", True, min=1),
                _f("rating", "Rating (1 to 5)", "integer", True, min=1, max=5),
            ],
        ),
        _k(
            "reaffirmGoal",
            "GOAL_REAFFIRMED",
            "Reaffirm a goal",
            "GOALS",
            [_f("goalId", "Goal", "goal", True), _f("note", "Note", "textarea", maxLength=5000)],
        ),
        _k(
            "retireGoal",
            "GOAL_RETIRED",
            "Retire a goal",
            "GOALS",
            [_f("goalId", "Goal", "goal", True), REASON],
        ),
        _k(
            "recordDecision",
            "DECISION_RECORDED",
            "Record a decision",
            "DECISIONS",
            [
                _f("decisionId", "Short id (optional)", "id"),
                _f("title", "Title", "text", True, maxLength=200),
                _f(
                    "category",
                    "Category",
                    "select",
                    True,
                    options=_options("STRATEGY", "GOVERNANCE", "DELIVERY", "RESOURCING"),
                ),
                _f("significance", "Significance (1 to 3)", "integer", min=1, max=3, default=1),
                _f(
                    "method",
                    "How it was decided",
                    "select",
                    True,
                    options=_options("CONSENSUS", "VOTE", "SINGLE_PARTNER", "DELEGATED"),
                ),
                _f("decidedBy", "Decided by", "partners", True),
                _f("consulted", "Consulted", "partners"),
                _f("dissentedBy", "Dissented", "partners"),
                _f("rationale", "Rationale", "textarea", maxLength=5000),
            ],
        ),
        _k(
            "makeCommitment",
            "COMMITMENT_MADE",
            "Make a commitment",
            "COMMITMENTS",
            [
                _f("commitmentId", "Short id (optional)", "id"),
                _f("partnerId", "Partner", "partner", True),
                _f("kind", "Kind", "select", True, options=_options("FUNDING", "STAFF", "IN_KIND")),
                _f("quantity", "Quantity", "number", True, min=0),
                _f(
                    "unit",
                    "Unit (optional)",
                    "select",
                    options=_options("GBP", "FTE_MONTHS", "DAYS"),
                ),
                _f("dueAt", "Due", "datetime", True),
                _f("description", "Description", "textarea", maxLength=5000),
            ],
        ),
        _k(
            "recordDelivery",
            "COMMITMENT_DELIVERED",
            "Record a delivery",
            "COMMITMENTS",
            [
                _f("commitmentId", "Commitment", "commitment", True),
                _f("quantity", "Quantity delivered", "number", True, min=0),
            ],
        ),
        _k(
            "releaseCommitment",
            "COMMITMENT_RELEASED",
            "Release a commitment",
            "COMMITMENTS",
            [
                _f("commitmentId", "Commitment", "commitment", True),
                _f("byAgreement", "Released by agreement", "boolean", True),
                REASON,
            ],
        ),
        _k(
            "agreeRiskShares",
            "RISK_SHARES_AGREED",
            "Agree risk shares",
            "PARTNERS",
            [_f("shares", "Shares (summing to 1)", "shares", True)],
        ),
        _k(
            "appointLeader",
            "LEADER_APPOINTED",
            "Appoint a leader",
            "LEADERSHIP",
            [
                _f("role", "Role", "role", True, maxLength=200),
                _f("partnerId", "Partner", "partner", True),
                _f("person", "Person", "text", True, maxLength=200),
            ],
        ),
        _k(
            "recordLeaderDeparture",
            "LEADER_DEPARTED",
            "A leader leaves (vacate)",
            "LEADERSHIP",
            [
                _f("role", "Role", "role", True, maxLength=200),
                _f("reason", "Reason", "textarea", maxLength=5000),
            ],
        ),
        _k(
            "recordTrustCheckIn",
            "TRUST_CHECK_IN_RECORDED",
            "Check in",
            "TRUST",
            [
                _f("respondentId", "Responding partner", "partner", True),
                _f("aboutId", "About partner (optional)", "partner"),
                _f("reliability", "Reliability (1 to 5)", "integer", True, min=1, max=5),
                _f("openness", "Openness (1 to 5)", "integer", True, min=1, max=5),
                _f("respect", "Respect (1 to 5)", "integer", True, min=1, max=5),
                _f("sharedOwnership", "Shared ownership (1 to 5)", "integer", True, min=1, max=5),
                _f("note", "Note", "textarea", maxLength=5000),
            ],
        ),
        _k(
            "retractEntry",
            "ENTRY_RETRACTED",
            "Retract this entry",
            "RECORD",
            [_f("eventId", "Entry", "event", True), REASON],
            needs="ADMIN",
        ),
        _k(
            "grantRole",
            "ROLE_GRANTED",
            "Grant a role",
            "RECORD",
            [
                _f("actor", "Person (actor name)", "actor", True),
                _f("role", "Role", "select", True, options=_options("VIEWER", "RECORDER", "ADMIN")),
            ],
            needs="ADMIN",
        ),
        _k(
            "revokeRole",
            "ROLE_REVOKED",
            "Revoke a role",
            "RECORD",
            [_f("actor", "Person (actor name)", "actor", True)],
            needs="ADMIN",
        ),
    ],
}
