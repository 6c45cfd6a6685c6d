from django.apps import AppConfig
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    default = True  # this module also holds TasksDatabaseConfig, named explicitly in INSTALLED_APPS
    name = "kesu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django_tasks.signals import task_enqueued

        from . import checks  # noqa: F401  (registers the system checks)
        from .configuration import migrated
        from .worker import on_task_enqueued

        # Any app's enqueued task wakes the local workers once its transaction commits (kesu/core/worker.py).
        task_enqueued.connect(on_task_enqueued, dispatch_uid="kesu-wake-workers")
        # After every migrate: the configuration's triggers where a rebuilt table lost them, and a new token.
        post_migrate.connect(migrated, dispatch_uid="kesu-configuration-migrated")


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks' database backend under a Chinese name in the system administrator's pages."""

    verbose_name = "后台任务"
