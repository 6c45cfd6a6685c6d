"""Background extraction of large documents (django-tasks; ``kesu worker`` runs them, tests run them immediately)."""

from django_tasks import task

from . import processing


@task()
def extract_document(document_id: int) -> None:
    processing.process(document_id)
