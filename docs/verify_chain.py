"""Recompute a partnership's audit hash chain from the API's `history` alone.

    pip install rfc8785
    python docs/verify_chain.py http://127.0.0.1:8000/graphql PARTNERSHIP_ID [TOKEN]

Prints `valid N HEAD` or `broken at P` (API.md, Audit). Uses only the standard library
and `rfc8785` (RFC 8785 canonical JSON).
"""

import hashlib
import json
import sys
import urllib.request
from datetime import datetime, timezone

import rfc8785

QUERY = """query History($id: ID!, $after: String) {
  partnership(id: $id) {
    history(first: 500, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { position type occurredAt recordedAt recordedBy data hash previousHash } }
    }
  }
}"""


def fetch(url, token, partnership_id):
    events, after = [], None
    while True:
        body = json.dumps({"query": QUERY, "variables": {"id": partnership_id, "after": after}})
        request = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request) as response:
            page = json.load(response)["data"]["partnership"]["history"]
        events += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return sorted(events, key=lambda event: event["position"])
        after = page["pageInfo"]["endCursor"]


def instant(text):
    moment = datetime.fromisoformat(text).astimezone(timezone.utc)
    return moment.isoformat(timespec="microseconds")


def verify(partnership_id, events):
    previous = None
    for expected, event in enumerate(events, start=1):
        body = {
            "previousHash": previous,
            "partnershipId": partnership_id,
            "position": event["position"],
            "type": event["type"],
            "occurredAt": instant(event["occurredAt"]),
            "recordedAt": instant(event["recordedAt"]),
            "recordedBy": event["recordedBy"],
            "data": event["data"],
        }
        digest = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
        if (
            event["position"] != expected
            or event["previousHash"] != previous
            or event["hash"] != digest
        ):
            return f"broken at {expected}"
        previous = digest
    return f"valid {len(events)} {previous}"


if __name__ == "__main__":
    url, partnership_id = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if len(sys.argv) > 3 else None
    print(verify(partnership_id, fetch(url, token, partnership_id)))
