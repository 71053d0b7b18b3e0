"""Capacity: adequate resourcing, and who is doing the work (METRICS.md, Capacity).

Fulfilment and outstanding cover the commitments of all partners, active or not.
"""

from __future__ import annotations

from accord.projections.health.model import Capacity, KindAmount
from accord.projections.health.prepared import PreparedHistory, Sample
from accord.projections.moments import days, micros
from accord.projections.state.commitment_ledger import KINDS


def capacity(history: PreparedHistory, sample: Sample) -> Capacity:
    """Fulfilment of commitments due in the window, what is still to come, and the
    state of the leadership roles."""
    ledger = history.commitments
    delivered: dict[str, int] = {}
    promised: dict[str, int] = {}
    for record in ledger.due_between(sample.window_start, sample.at):
        if record.excused_from <= sample.at:
            continue
        quantity = record.quantity_units
        delivered[record.kind] = delivered.get(record.kind, 0) + min(
            record.units_delivered_by(sample.at), quantity
        )
        promised[record.kind] = promised.get(record.kind, 0) + quantity
    owed: dict[str, int] = {}
    for record in ledger.due_between(sample.at, sample.at + ledger.longest_lead):
        if record.made > sample.at or record.released <= sample.at:
            continue
        remaining = record.quantity_units - record.units_delivered_by(sample.at)
        owed[record.kind] = owed.get(record.kind, 0) + max(remaining, 0)
    roles = history.roles.roles_at(sample.at)
    vacancies = [days(sample.at - micros(role.since)) for role in roles if role.vacant]
    return Capacity(
        fulfilment=tuple(
            KindAmount(kind, delivered[kind] / promised[kind]) for kind in KINDS if kind in promised
        ),
        outstanding=tuple(
            KindAmount(kind, ledger.quantity(owed[kind])) for kind in KINDS if kind in owed
        ),
        vacant_roles=len(vacancies),
        longest_vacancy_days=max(vacancies) if vacancies else None,
        leadership_changes=history.roles.changes_between(sample.window_start, sample.at),
        roles=tuple(roles),
    )
