// Live: the partnership's events as they are recorded, by anyone (the page, the API, an
// import), over graphql-transport-ws (`partnershipEvents`, docs/API.md). The bearer token
// goes in connection_init; after a drop (a server restart) it reconnects and asks only for
// what came after the last position it saw (`afterPosition`), so none is missed or doubled.

import { bearerToken, currentSession } from "./api.js";

const PROTOCOL = "graphql-transport-ws";
const SUBSCRIPTION = `
  subscription Live($id: ID!, $after: Int) {
    partnershipEvents(partnershipId: $id, afterPosition: $after) {
      id type position occurredAt summary
    }
  }`;

export class LiveEvents {
  /** `onEvent(event)` for each new event; `onState("live" | "reconnecting" | "ended")`. */
  constructor({ onEvent, onState = () => {} }) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.socket = null;
    this.partnershipId = null;
    this.position = 0;
    this.retry = null;
    this.delay = 500;
  }

  /** Follow one partnership from `afterPosition` (its version when the page loaded it). */
  follow(partnershipId, afterPosition) {
    this.stop();
    this.partnershipId = partnershipId;
    this.position = afterPosition;
    this.delay = 500;
    this.connect();
  }

  stop() {
    clearTimeout(this.retry);
    this.partnershipId = null;
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, "done");
    }
  }

  connect() {
    const url = new URL("graphql", document.baseURI);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url, PROTOCOL);
    const following = this.partnershipId;
    this.socket = socket;
    socket.addEventListener("open", () => {
      const token = bearerToken();
      const signedIn = currentSession();
      let payload = {};
      if (token) payload = { Authorization: `Bearer ${token}` };
      else if (signedIn) payload = { "X-Accord-CSRF": signedIn.csrf };
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    });
    socket.addEventListener("message", (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (data.type === "connection_ack") {
        socket.send(
          JSON.stringify({
            id: "events",
            type: "subscribe",
            payload: { query: SUBSCRIPTION, variables: { id: following, after: this.position } },
          }),
        );
        this.delay = 500;
        this.onState("live");
      } else if (data.type === "next") {
        const event = data.payload?.data?.partnershipEvents;
        if (event && event.position > this.position) {
          this.position = event.position;
          this.onEvent(event);
        }
      } else if (data.type === "error") {
        // NOT_FOUND: the partnership is gone from this actor's view (a revoked role).
        this.onState("ended");
        this.partnershipId = null;
        socket.close(1000, "ended");
      }
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return; // replaced or stopped on purpose
      this.socket = null;
      if (!this.partnershipId || event.code === 4403) {
        this.onState("ended");
        return;
      }
      this.onState("reconnecting");
      this.retry = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    });
  }
}
