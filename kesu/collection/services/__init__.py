"""Every write of the collection app. Views, API, CLI, the Excel import and extraction call only these.

Each function is keyword-only, runs in one transaction (a savepoint when called inside an outer one, so an import
can wrap many rows in a single all-or-nothing transaction), checks scope and locks, and records an audit event.
"""

from .activities import (
                         activity_create,
                         activity_delete,
                         activity_update,
                         activity_upsert,
                         attachment_add,
                         attachment_delete,
)
from .config import OUTLIER_FIELDS, data_set_create, load_rules, lock_exception_open, outlier_rule_save, rule_create
from .figures import AMEND, COLLECT, HISTORY, Figure, figures_write, write_mode
from .narratives import NarrativeText, narrative_bulk_save, narrative_save
from .outside import activity_fed_refused, outside_figures_accept, outside_paths
from .reminders import send_reminders
from .submissions import (
                         submission_accept,
                         submission_accept_all,
                         submission_approve,
                         submission_approve_all,
                         submission_approve_batch,
                         submission_figures,
                         submission_for,
                         submission_readings,
                         submission_return,
                         submission_submit,
                         submission_unapprove,
                         submission_violations,
                         submission_withdraw,
)
from .values import value_save, value_upsert

__all__ = [
    "AMEND", "COLLECT", "HISTORY", "Figure", "figures_write", "write_mode", "outside_figures_accept", "outside_paths",
    "activity_fed_refused",
    "activity_create", "activity_delete", "activity_update", "activity_upsert", "attachment_add", "attachment_delete",
    "data_set_create", "load_rules", "lock_exception_open", "OUTLIER_FIELDS", "outlier_rule_save", "rule_create",
    "NarrativeText", "narrative_bulk_save", "narrative_save", "send_reminders",
    "submission_accept", "submission_approve", "submission_for", "submission_return", "submission_submit",
    "submission_unapprove", "submission_violations", "value_save", "value_upsert", "submission_approve_batch",
    "submission_figures", "submission_withdraw", "submission_approve_all", "submission_accept_all",
    "submission_readings",
]
