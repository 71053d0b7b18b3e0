"""The web layer: the Starlette application serving the GraphQL API, and its server."""

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
