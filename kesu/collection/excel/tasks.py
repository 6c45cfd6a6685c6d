"""Background tasks of the Excel import (django-tasks; ``kesu worker`` runs them, tests run them immediately)."""

from django_tasks import task

from . import jobs


@task()
def check_import(job_id: int) -> None:
    jobs.run_check(job_id)


@task()
def commit_import(job_id: int) -> None:
    jobs.run_commit(job_id)
