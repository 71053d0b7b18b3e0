"""A real OpenID provider for the tests: node's `oidc-provider` (tests/support/
oidc_provider.mjs) on loopback, behind a small intercepting proxy that is the issuer's
address, so a test can alter the token endpoint's answers (an ID token swapped, a
signature byte flipped) the way an attacker between Accord and the provider would.

The provider finishes its login and consent by itself for its one user, so a test signs
in by following redirects with httpx (`sign_in`), and can run the code flow as any
registered client itself (`obtain_id_token`) to get a genuine, signed ID token with the
audience and nonce it chooses.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
SUBJECT = "c0ffee00-1234-4abc-8def-000000000017"
EMAIL = "ann.jones@eastfield.nhs.uk"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}

TokenHook = Callable[[dict[str, Any]], dict[str, Any]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def provider_available() -> str | None:
    """Why the provider cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(version.strip().lstrip("v").split(".")[0] or 0) < 20:
        return f"oidc-provider needs node 20 or later (this is {version.strip()})"
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").is_file():
        return "oidc-provider is not installed (npm ci)"
    return None


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


@dataclass
class OpenIdProvider:
    """The provider (node) and its front (the proxy, at the issuer's address)."""

    issuer: str
    process: subprocess.Popen[bytes]
    proxy: ThreadingHTTPServer
    backend_port: int
    clients: list[Client]
    # Applied to each token endpoint answer's JSON before Accord gets it (None: as is).
    on_token: TokenHook | None = None
    # Every ID token the token endpoint gave out, in order (before any hook).
    id_tokens: list[str] = field(default_factory=list)

    def stop(self) -> None:
        self.proxy.shutdown()
        self.proxy.server_close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def discovery(self) -> dict[str, Any]:
        response = httpx.get(self.issuer + "/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def obtain_id_token(self, client: Client, nonce: str, redirect_uri: str | None = None) -> str:
        """Run the code flow (PKCE) as `client`, with this nonce: a genuine ID token."""
        document = self.discovery()
        redirect_uri = redirect_uri or client.redirect_uris[0]
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urlencode(
            {
                "client_id": client.client_id,
                "response_type": "code",
                "scope": "openid email profile",
                "redirect_uri": redirect_uri,
                "state": secrets.token_urlsafe(16),
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        with httpx.Client(timeout=10) as browser:
            location = document["authorization_endpoint"] + "?" + query
            for _ in range(12):
                if location.startswith(redirect_uri):
                    break
                response = browser.get(location)
                assert response.status_code in (302, 303), response.text[:500]
                location = urljoin(location, response.headers["location"])
            else:
                raise AssertionError("the provider never redirected back")
            code = parse_qs(urlsplit(location).query)["code"][0]
            answer = browser.post(
                document["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
                auth=(client.client_id, client.client_secret),
            )
        assert answer.status_code == 200, answer.text
        id_token: str = answer.json()["id_token"]
        return id_token


def _proxy_handler(provider: Callable[[], OpenIdProvider]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            front = provider()
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            # The Host stays the front's: the provider names its endpoints from it.
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Host"] = self.headers.get("host", "")
            upstream = http.client.HTTPConnection("127.0.0.1", front.backend_port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                status = answer.status
                answer_headers = answer.getheaders()
            finally:
                upstream.close()
            if self.path.split("?")[0] == "/token" and status == 200:
                document = json.loads(payload)
                if isinstance(document.get("id_token"), str):
                    front.id_tokens.append(document["id_token"])
                if front.on_token is not None:
                    document = front.on_token(document)
                payload = json.dumps(document).encode()
            self.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _forward
        do_POST = _forward

    return Handler


def start_provider(
    clients: list[Client],
    *,
    subject: str = SUBJECT,
    claims: dict[str, Any] | None = None,
    id_token_ttl: int = 3600,
    front_port: int | None = None,
) -> OpenIdProvider:
    """Start the provider and its front (on `front_port`, default a free one: the
    issuer's port); `stop()` them."""
    front_port, backend_port = front_port or free_port(), free_port()
    issuer = f"http://127.0.0.1:{front_port}"
    config = {
        "issuer": issuer,
        "port": backend_port,
        "clients": [vars(client) for client in clients],
        "subject": subject,
        "claims": claims if claims is not None else {"email": EMAIL, "email_verified": True},
        "idTokenTtl": id_token_ttl,
    }
    # Its warnings go to a file, not a pipe nobody reads (a full pipe would stop it);
    # the child keeps the file open once this process closes it.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["node", str(SCRIPT), json.dumps(config)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != b"ready":
            process.kill()
            process.wait(timeout=10)
            errors.seek(0)
            said = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"the OpenID provider did not start: {said}")
    holder: list[OpenIdProvider] = []
    proxy = ThreadingHTTPServer(("127.0.0.1", front_port), _proxy_handler(lambda: holder[0]))
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, name="oidc-front", daemon=True).start()
    front = OpenIdProvider(issuer, process, proxy, backend_port, clients)
    holder.append(front)
    return front


def flip_signature_byte(token: str) -> str:
    """The same JWS with one byte of its signature changed."""
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join((header, payload, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()))


def claims_of(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (for the tests' own checks)."""
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data
