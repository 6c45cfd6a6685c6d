"""Run by test_replicas.py in its own process, against a real primary and streaming replica.

``python -m kesu.core.tests.replica_probe`` with KESU_DATABASE_URL and KESU_DATABASE_REPLICA_URLS set: migrates the
primary, signs in through the real middleware stack, and prints one JSON object describing, for each situation, which
database answered the dashboard and what it showed. The test asserts on that object.
"""

import json
import os
import subprocess
import sys
import time


def _wait(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from kesu.accounts.models import Role, User
    from kesu.core import replicas
    from kesu.regions.models import Level, Region

    settings.ALLOWED_HOSTS.append("testserver")  # the test client's host name
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    print(f"migrate {time.monotonic() - started:.1f}s", file=sys.stderr)
    city = Region.objects.create(code="511700", name="达州市", level=Level.PREFECTURE, path="511700/", depth=0)
    county = Region.objects.create(code="511725", name="渠县", level=Level.COUNTY, parent=city,
                                   path="511700/511725/", depth=1)
    for name, role in (("office", Role.OFFICE), ("leader", Role.VIEWER)):
        User.objects.create_user(username=name, password="kesu-test-pw-1", role=role, region=city, full_name=name)
    replica = replicas.replica_aliases()[0]

    def replica_has(name):
        with connections[replica].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM regions_region WHERE name = %s", [name])
            return cursor.fetchone()[0] == 1

    assert _wait(lambda: replica_has("达州市")), "the replica never caught up with the set-up"

    def dashboard(client):
        # Count the statements each database ran (a wrapper, unlike CaptureQueriesContext, does not connect).
        counts = {"default": 0, replica: 0}

        def counter(alias):
            def wrapper(execute, sql, params, many, context):
                counts[alias] += 1
                return execute(sql, params, many, context)
            return wrapper

        with connections["default"].execute_wrapper(counter("default")), \
                connections[replica].execute_wrapper(counter(replica)):
            response = client.get("/analytics/")
        return {"status": response.status_code, "primary_queries": counts["default"],
                "replica_queries": counts[replica], "body": response.content.decode()}

    result = {}
    leader, office = Client(), Client()
    assert leader.login(username="leader", password="kesu-test-pw-1")
    assert office.login(username="office", password="kesu-test-pw-1")
    time.sleep(0.5)  # the sessions just written reach the replica
    result["caught_up"] = dashboard(leader)

    # Read your writes: the office saves a change, then opens the dashboard at once.
    response = office.post(f"/regions/{county.pk}/edit/", {"name": "渠县（已改名）", "short_name": "", "population_10k": ""})
    result["write_status"] = response.status_code
    result["after_own_write"] = dashboard(office)

    # Replay stopped: the replica falls behind, and the primary answers with the newest figures.
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    Region.objects.filter(pk=city.pk).update(name="达州市（新）")
    time.sleep(0.3)
    result["lagging"] = dashboard(leader)
    result["lagging"]["shows_new_name"] = "达州市（新）" in result["lagging"].pop("body")
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    assert _wait(lambda: replica_has("达州市（新）")), "the replica did not catch up after replay resumed"
    result["resumed"] = dashboard(leader)
    result["resumed"]["shows_new_name"] = "达州市（新）" in result["resumed"].pop("body")

    # The replica goes away between its health check and the view's queries: the view's query fails on the
    # replica and the page is answered from the primary; the next request does not try the replica.
    settings.KESU_REPLICA_CHECK_SECONDS = 3600
    subprocess.run(json.loads(os.environ["KESU_TEST_REPLICA_STOP"]), check=True, capture_output=True, timeout=60)
    for key in ("replica_gone", "replica_still_gone"):
        result[key] = dashboard(leader)
        result[key]["shows_new_name"] = "达州市（新）" in result[key].pop("body")
    for key in ("caught_up", "after_own_write"):
        result[key].pop("body")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
