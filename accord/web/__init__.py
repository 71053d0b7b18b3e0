"""The web layer: the Starlette application serving the GraphQL API, and its server."""

from accord.web.app import create_app
from accord.web.server import serve

__all__ = ["create_app", "serve"]
