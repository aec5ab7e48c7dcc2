"""Notification categories a user may mute (Impostazioni → Notifiche).

Later features append theirs here, and a label per language in the catalogues
(`settings.category.<name>`). Transactional messages (payments, orders, disputes) have no
category and are always delivered.
"""

MUTABLE_CATEGORIES: tuple[str, ...] = ("news", "tips", "reports")
