"""Report packs run as background tasks (django-tasks; ``kesu worker`` runs them, tests run them immediately)."""

from django_tasks import task

from . import services


@task()
def run_pack(job_id: int) -> None:
    services.pack_run(job_id)
