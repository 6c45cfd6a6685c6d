"""What the child processes of test_backup.py do: ``python -m kesu.core.tests.proc_actions ACTION JSON``."""

from kesu.core.tests.childproc import child_main


def add_event(*, label: str) -> dict:
    from kesu.core import audit

    event = audit.record(actor=None, action="note", object_type="test", object_id="1", object_repr=label)
    return {"id": event.pk}


if __name__ == "__main__":
    child_main({"add_event": add_event})
