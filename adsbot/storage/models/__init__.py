"""All mapped tables; importing this package registers them on `Base.metadata`."""

from adsbot.storage.models.core import AuditLog, ConversationState, User
from adsbot.storage.models.ledger import LedgerAccount, LedgerPosting, LedgerTransaction
from adsbot.storage.models.runtime import InboxUpdate, JobRun, OutboxMessage, Timer

__all__ = [
    "AuditLog",
    "ConversationState",
    "InboxUpdate",
    "JobRun",
    "LedgerAccount",
    "LedgerPosting",
    "LedgerTransaction",
    "OutboxMessage",
    "Timer",
    "User",
]
