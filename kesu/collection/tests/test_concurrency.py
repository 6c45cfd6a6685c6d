"""Several processes write and approve the same figures at once: nothing is lost, nothing changes after approval.

Each child is a separate Python process on its own database connection (see kesu/core/tests/childproc.py); the
test database is a file in WAL mode on SQLite, or the PostgreSQL test database.
"""

import time
from decimal import Decimal

import pytest

from kesu.collection import services
from kesu.collection.models import IndicatorValue, Submission, SubmissionStatus
from kesu.core.models import AuditEvent
from kesu.core.tests.childproc import Gate, child_env, result, start

from .conftest import YEAR

pytestmark = pytest.mark.django_db(transaction=True)

MODULE = "kesu.collection.tests.proc_actions"
WRITERS = 4
ATTEMPTS = 6


def _cell(w, code="HR_FULL"):
    return {"user_id": w.filler.pk, "indicator_id": w.ind[code].pk, "region_id": w.county.pk, "unit_id": w.edu.pk,
            "period": YEAR}


def test_four_writers_and_an_approver_lose_nothing_and_approval_freezes_the_value(world, tmp_path):
    first = services.value_save(actor=world.filler, indicator=world.ind["HR_FULL"], region=world.county,
                                unit=world.edu, period=YEAR, value=1, expected_version=0)
    sub = Submission.objects.get(data_set=world.ds, region=world.county, unit=world.edu, period_id=YEAR)
    gate = Gate(tmp_path / "gate")
    env = child_env()
    cell = _cell(world)
    writers = [start(MODULE, "edit", {**cell, "gate": str(gate.folder), "name": f"w{i}", "attempts": ATTEMPTS,
                                      "base": 100 * (i + 1)}, env=env) for i in range(WRITERS)]
    approver = start(MODULE, "submit_and_approve", {"gate": str(gate.folder), "name": "approver",
                                                    "submission_id": sub.pk, "filler_id": world.filler.pk,
                                                    "office_id": world.office.pk}, env=env)
    gate.wait_for(*[f"ready-w{i}" for i in range(WRITERS)], "ready-approver")
    gate.mark("open")
    outcomes = [result(p) for p in writers]
    assert result(approver)["status"] == SubmissionStatus.APPROVED

    accepted = [v for o in outcomes for v in o["accepted"]]
    rejected = [m for o in outcomes for m in o["rejected"]]
    assert accepted, "at least one write went through before the submit (the approver waited for one)"
    assert len(accepted) + len(rejected) == WRITERS * ATTEMPTS
    # Every refusal is a plain Chinese message: someone else saved first, or the return is submitted/approved.
    for message in rejected:
        assert ("您看到的是旧数据" in message or "等待审核" in message or "已审核" in message), message

    row = IndicatorValue.objects.get(pk=first.row.pk)
    updates = list(AuditEvent.objects.filter(object_type="collection.indicatorvalue", object_id=str(row.pk),
                                             action="update").order_by("id"))
    # Every accepted write is in the audit trail, once, in the order the database applied them.
    assert sorted(Decimal(e.changes["value"][1]) for e in updates) == sorted(Decimal(v) for v in accepted)
    chain = [Decimal(e.changes["value"][0]) for e in updates]
    # no write was based on a lost one
    assert chain == [Decimal(1)] + [Decimal(e.changes["value"][1]) for e in updates][:-1]
    assert row.value == Decimal(updates[-1].changes["value"][1]) and row.value in {Decimal(v) for v in accepted}
    assert row.version == 1 + len(accepted)

    # Nothing changed after the return was submitted, let alone approved.
    submitted = AuditEvent.objects.get(object_type="collection.submission", object_id=str(sub.pk), action="submit")
    approved = AuditEvent.objects.get(object_type="collection.submission", object_id=str(sub.pk), action="approve")
    assert updates[-1].pk < submitted.pk < approved.pk
    assert Submission.objects.get(pk=sub.pk).status == SubmissionStatus.APPROVED


def test_a_second_writer_waits_for_the_first_instead_of_failing(world, tmp_path):
    gate = Gate(tmp_path / "gate")
    env = child_env()
    holder = start(MODULE, "hold_write", {**_cell(world), "gate": str(gate.folder), "value": 7}, env=env)
    gate.wait_for("holding")
    second = start(MODULE, "write", {**_cell(world, "FUND_RAISED"), "gate": str(gate.folder), "value": "12.5"},
                   env=env)
    gate.wait_for("writing")
    time.sleep(0.5)  # give the second writer time to reach the lock; the check below holds however long it takes
    assert not gate.exists("written"), "the second writer must wait while the first holds its transaction"
    gate.mark("release")
    held = result(holder)
    assert result(second) == {"ok": True}
    if held["journal_mode"] is not None:
        assert held["journal_mode"] == "wal"
    values = dict(IndicatorValue.objects.filter(region=world.county, unit=world.edu, period_id=YEAR)
                  .values_list("indicator__code", "value"))
    assert values == {"HR_FULL": Decimal(7), "FUND_RAISED": Decimal("12.5")}
