"""Pages of the plans app. Views call selectors and services only."""

from .catalogue import (
    framework_detail,
    framework_list,
    framework_localise,
    indicator_create,
    indicator_list,
)
from .plans import (
    plan_carry_over,
    plan_create,
    plan_detail,
    plan_list,
    target_consistency,
    target_list,
    task_create,
    task_delete,
    task_edit,
)
from .records import document_create, document_list, meeting_create, meeting_list

__all__ = [
    "document_create", "document_list", "framework_detail", "framework_list", "framework_localise",
    "indicator_create", "indicator_list", "meeting_create", "meeting_list", "plan_carry_over", "plan_create",
    "plan_detail", "plan_list", "target_consistency", "target_list", "task_create", "task_delete", "task_edit",
]
