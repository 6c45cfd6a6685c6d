"""A task for the worker tests: it leaves a trace the test can count."""

from django_tasks import task


@task()
def note(label: str) -> str:
    from kesu.core import audit

    audit.record(actor=None, action="note", object_type="test", object_id="1", object_repr=label)
    return label
