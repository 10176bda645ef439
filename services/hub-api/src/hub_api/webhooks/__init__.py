"""Webhooks: the public delivery endpoint and a store's real-time status and subscriptions."""

from hub_api.webhooks.controller import StoreWebhookController, WebhookInboxController

__all__ = ["StoreWebhookController", "WebhookInboxController"]
