"""All mapped tables; importing this package registers them on `Base.metadata`."""

from adsbot.storage.models.core import AuditLog, ConversationState, User

__all__ = ["AuditLog", "ConversationState", "User"]
