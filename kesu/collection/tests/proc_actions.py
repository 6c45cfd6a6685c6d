"""What the child processes of test_concurrency.py do: ``python -m kesu.collection.tests.proc_actions ACTION JSON``.

Each action works through the same services as the pages do, on its own database connection.
"""

from kesu.core.tests.childproc import Gate, child_main


def _objects(user_id, indicator_id, region_id, unit_id):
    from kesu.accounts.models import User
    from kesu.orgs.models import Unit
    from kesu.plans.models import Indicator
    from kesu.regions.models import Region

    return (User.objects.get(pk=user_id), Indicator.objects.get(pk=indicator_id), Region.objects.get(pk=region_id),
            Unit.objects.get(pk=unit_id) if unit_id else None)


def edit(*, gate, name, user_id, indicator_id, region_id, unit_id, period, attempts, base) -> dict:
    """Like a person at the grid: load the cell's version, type a new figure, save; reload after a refusal."""
    from kesu.collection import services
    from kesu.collection.models import IndicatorValue
    from kesu.core.exceptions import ApplicationError

    user, indicator, region, unit = _objects(user_id, indicator_id, region_id, unit_id)
    g = Gate(gate)
    g.mark(f"ready-{name}")
    g.wait_for("open")
    accepted, rejected = [], []
    for attempt in range(attempts):
        row = IndicatorValue.objects.filter(indicator=indicator, region=region, unit=unit, period_id=period).first()
        value = base + attempt
        try:
            services.value_save(actor=user, indicator=indicator, region=region, unit=unit, period=period, value=value,
                                expected_version=row.version if row else 0)
        except ApplicationError as exc:
            rejected.append(exc.message)
        else:
            accepted.append(value)
            g.mark("written")
    return {"accepted": accepted, "rejected": rejected}


def submit_and_approve(*, gate, name, submission_id, filler_id, office_id) -> dict:
    """The filler submits once figures are being written; the county office approves straight away."""
    from kesu.accounts.models import User
    from kesu.collection import services
    from kesu.collection.models import Submission

    filler, office = User.objects.get(pk=filler_id), User.objects.get(pk=office_id)
    g = Gate(gate)
    g.mark(f"ready-{name}")
    g.wait_for("open", "written")
    sub = services.submission_submit(actor=filler, submission=Submission.objects.get(pk=submission_id))
    sub = services.submission_approve(actor=office, submission=sub)
    return {"status": sub.status}


def hold_write(*, gate, user_id, indicator_id, region_id, unit_id, period, value) -> dict:
    """Write a figure and keep the transaction open until the parent says release."""
    from django.db import connection, transaction

    from kesu.collection import services

    user, indicator, region, unit = _objects(user_id, indicator_id, region_id, unit_id)
    g = Gate(gate)
    journal = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    with transaction.atomic():
        services.value_save(actor=user, indicator=indicator, region=region, unit=unit, period=period, value=value)
        g.mark("holding")
        g.wait_for("release")
    return {"journal_mode": journal}


def write(*, gate, user_id, indicator_id, region_id, unit_id, period, value) -> dict:
    from kesu.collection import services

    user, indicator, region, unit = _objects(user_id, indicator_id, region_id, unit_id)
    g = Gate(gate)
    g.mark("writing")
    services.value_save(actor=user, indicator=indicator, region=region, unit=unit, period=period, value=value)
    g.mark("written")
    return {"ok": True}


def worker_dies_while_writing(*, gate) -> dict:
    """The real task worker (db_worker), watched: once an import has written every activity and audit event inside
    its transaction, and before that commits, it says so and waits — for the parent's SIGKILL."""
    import time

    from django.core.management import call_command

    from kesu.collection.services import bulk
    from kesu.core.tests.childproc import WAIT_LIMIT

    original = bulk._insert

    def observed(model, names, rows, *, returning=False):
        ids = original(model, names, rows, returning=returning)
        if model._meta.label_lower == "core.auditevent":
            Gate(gate).mark("inserted")
            time.sleep(WAIT_LIMIT)
        return ids

    bulk._insert = observed
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0)
    return {"killed": False}


def hold_job_lock(*, gate, job_id) -> dict:
    """Stand in for a live worker: hold the job's liveness lock until the parent says release."""
    from kesu.collection.excel import jobs
    from kesu.core import liveness

    g = Gate(gate)
    with liveness.held(jobs._lock_name(job_id)):
        g.mark("holding")
        g.wait_for("release")
    return {"ok": True}


if __name__ == "__main__":
    child_main({"edit": edit, "submit_and_approve": submit_and_approve, "hold_write": hold_write, "write": write,
                "worker_dies_while_writing": worker_dies_while_writing, "hold_job_lock": hold_job_lock})
