"""The hub's one FastAPI app: the schema registry now; webhooks, dead-letter ops, routing later."""

from hub.api.app import create_app, freeze_startup_heap

__all__ = ["create_app", "freeze_startup_heap"]
