"""Child process of test_import_kill_stages.py: the real task worker, stopped at one stage of an import.

``python -m kesu.collection.tests.proc_worker_kill die_at JSON``: once the import reaches ``stage`` the worker
marks the gate and waits for the parent's SIGKILL. Stages: a progress step's name (读取文件, 写入数据库), ``rows``
(every row and audit event written inside the open transaction) and ``committed`` (the transaction has committed,
the job's final bookkeeping not yet done).
"""

import time

from kesu.core.tests.childproc import WAIT_LIMIT, Gate, child_main


def die_at(*, gate, stage) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from kesu.collection.excel import jobs
    from kesu.collection.services import bulk

    def reached():
        Gate(gate).mark("reached")
        time.sleep(WAIT_LIMIT)

    progress, insert, finish = jobs._progress, bulk._insert, jobs._finish

    def watched_progress(job_id):
        step = progress(job_id)

        def watched(name, pct):
            step(name, pct)
            if name == stage:
                reached()
        return watched

    def watched_insert(model, names, rows, *, returning=False):
        ids = insert(model, names, rows, returning=returning)
        if stage == "rows" and model._meta.label_lower == "core.auditevent":
            reached()
        return ids

    def watched_finish(job_id, **fields):
        if stage == "committed" and fields.get("status") == "done" and not connection.in_atomic_block:
            reached()
        return finish(job_id, **fields)

    jobs._progress, bulk._insert, jobs._finish = watched_progress, watched_insert, watched_finish
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0)
    return {"killed": False}


if __name__ == "__main__":
    child_main({"die_at": die_at})
