"""`partnershipEvents` over graphql-transport-ws: in order, none missed, none twice."""

from __future__ import annotations

import threading
from typing import Any

from tests.api.server import ApiServer
from tests.support.graphql_client import subscriber
from tests.support.operations import Recorder

EVENTS = """
subscription Follow($id: ID!, $after: Int) {
  partnershipEvents(partnershipId: $id, afterPosition: $after) {
    id position type occurredAt summary data retracted
  }
}"""

RECORDED = 200


def positions(payloads: list[dict[str, Any]]) -> list[int]:
    for payload in payloads:
        assert not payload.get("errors"), payload
    return [payload["data"]["partnershipEvents"]["position"] for payload in payloads]


def record_decisions(api: ApiServer, partnership_id: str, count: int) -> threading.Thread:
    """Another client records `count` decisions, in a thread."""

    def run() -> None:
        recorder = Recorder(api)
        for index in range(count):
            recorder.record(
                "recordDecision",
                {
                    "partnershipId": partnership_id,
                    "title": f"Decision {index}",
                    "category": "DELIVERY",
                    "method": "SINGLE_PARTNER",
                    "decidedBy": ["p1"],
                    "occurredAt": "2024-02-01",
                },
            )

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_subscribers_get_every_event_once_in_order_however_they_join(api: ApiServer) -> None:
    recorder = Recorder(api)
    partnership_id = recorder.form()
    recorder.record(
        "joinPartner",
        {
            "partnershipId": partnership_id,
            "partnerId": "p1",
            "name": "P1",
            "sector": "NHS_TRUST",
            "occurredAt": "2024-01-02",
        },
    )
    base = 2
    last = base + RECORDED
    with subscriber(api) as live, subscriber(api) as reconnecting:
        # The live one has seen the first two (a subscription "from now on" starts when
        # the server gets to it, which a loaded server may do after the writer began).
        live.subscribe(EVENTS, {"id": partnership_id, "after": base})
        reconnecting.subscribe(EVENTS, {"id": partnership_id, "after": 1})
        assert positions(reconnecting.next_payloads(1)) == [2]
        writer = record_decisions(api, partnership_id, RECORDED)

        # A subscriber that joins mid-stream, replaying from the start, misses none.
        reconnecting.next_payloads(3)
        with subscriber(api) as late:
            late.subscribe(EVENTS, {"id": partnership_id, "after": 0})
            assert positions(late.next_payloads(last)) == list(range(1, last + 1))
            assert late.nothing_within(0.3)

        # One that drops out and comes back with afterPosition gets the rest, once.
        seen = 2 + 3
        reconnecting.connection.close()
        writer.join(timeout=60)
        assert not writer.is_alive()
        with subscriber(api) as back:
            back.subscribe(EVENTS, {"id": partnership_id, "after": seen})
            assert positions(back.next_payloads(last - seen)) == list(range(seen + 1, last + 1))
            assert back.nothing_within(0.3)

        # The live one got all 200 recorded by the other client, in order.
        payloads = live.next_payloads(RECORDED)
        assert positions(payloads) == list(range(base + 1, last + 1))
        first = payloads[0]["data"]["partnershipEvents"]
        assert first["type"] == "DECISION_RECORDED"
        assert first["data"]["title"] == "Decision 0"
        assert first["summary"] and first["retracted"] is False
        assert live.nothing_within(0.3)


def test_a_subscription_without_a_position_streams_from_now_on_promptly(api: ApiServer) -> None:
    recorder = Recorder(api)
    partnership_id = recorder.form()
    with subscriber(api) as live:
        live.subscribe(EVENTS, {"id": partnership_id})

        def join(index: int) -> None:
            recorder.record(
                "joinPartner",
                {
                    "partnershipId": partnership_id,
                    "partnerId": f"p{index}",
                    "name": f"P{index}",
                    "sector": "OTHER",
                },
            )

        # The server starts the subscription when it gets to it: record until the
        # stream shows one; what was recorded before (the formation) is never replayed.
        first: list[int] = []
        joined = 0
        while not first and joined < 30:
            joined += 1
            join(joined)
            try:
                first = positions(live.next_payloads(1, timeout=1))
            except TimeoutError:
                continue
        assert first and first[0] >= 2, first
        # From then on each new event arrives promptly, in order, none missed.
        for index in range(joined + 1, joined + 4):
            join(index)
        newest = 1 + joined + 3
        later = positions(live.next_payloads(newest - first[0], timeout=2))
        assert later == list(range(first[0] + 1, newest + 1))
        assert live.nothing_within(0.2)


def test_an_unknown_partnership_gives_an_error_message_not_found(api: ApiServer) -> None:
    with subscriber(api) as client:
        operation = client.subscribe(EVENTS, {"id": "00000000-0000-0000-0000-000000000000"})
        message = client.receive()
        assert message["type"] == "error" and message["id"] == operation
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        operation = client.subscribe(EVENTS, {"id": "not-a-uuid"})
        message = client.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_negative_position_is_refused(api: ApiServer) -> None:
    partnership_id = Recorder(api).form()
    with subscriber(api) as client:
        client.subscribe(EVENTS, {"id": partnership_id, "after": -1})
        message = client.receive()
        assert message["type"] == "error"
        assert "afterPosition" in message["payload"][0]["message"]


def test_a_subscription_over_plain_http_is_refused_with_a_pointer_to_websockets(
    api: ApiServer,
) -> None:
    partnership_id = Recorder(api).form()
    body = api.post(EVENTS, {"id": partnership_id})
    assert body["data"] is None
    assert "websockets" in body["errors"][0]["message"]
