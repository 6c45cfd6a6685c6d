"""Every write of the plans app. Keyword-only functions ``<entity>_<action>(*, actor, ...)``, one transaction each,
each leaving an audit event. Refusals are ``ApplicationError`` with a Chinese message naming the item and field."""

from .carry_over import plan_tasks_carry_over
from .frameworks import framework_item_create, framework_item_delete, framework_item_update, framework_localise
from .indicators import indicator_create, indicator_update
from .plans import plan_create, plan_update, task_create, task_delete, task_update
from .records import document_create, meeting_create
from .targets import target_delete, target_set

__all__ = [
    "document_create", "framework_item_create", "framework_item_delete", "framework_item_update",
    "framework_localise", "indicator_create", "indicator_update", "meeting_create", "plan_create",
    "plan_tasks_carry_over", "plan_update",
    "target_delete", "target_set", "task_create", "task_delete", "task_update",
]
