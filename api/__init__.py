"""HTTP API of the normalizer (FastAPI): ``create_app()`` builds the app; ``normalizer serve`` runs it."""

from .app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
