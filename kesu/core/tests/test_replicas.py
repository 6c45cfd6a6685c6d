"""Read replicas against a real streaming replica: routing, read-your-writes, lag and a replica that goes away.

The test starts its own PostgreSQL primary and a replica made from it with pg_basebackup (kesu/core/tests/
pgcluster.py), then runs kesu against them in a separate process (replica_probe.py), since the replica must be
configured when Django starts.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kesu.core.tests.pgcluster import Cluster, server_bin


@pytest.fixture(scope="module")
def cluster():
    if not os.environ.get("KESU_DATABASE_URL", "").startswith("postgres"):
        pytest.skip("只读副本测试在 PostgreSQL 测试轮运行（它自带主库和副本，无需重复）")
    bin_dir = server_bin()
    if bin_dir is None:
        if os.environ.get("KESU_REQUIRE_POSTGRES"):
            pytest.fail("未找到 PostgreSQL 服务器程序（initdb、pg_basebackup），无法测试只读副本")
        pytest.skip("跳过只读副本测试：未安装 PostgreSQL 服务器程序")
    root = Path(tempfile.mkdtemp(prefix="kesu-replica-", dir="/tmp"))
    root.chmod(0o755)
    cluster = Cluster(bin=bin_dir, root=root)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.fixture(scope="module")
def probe(cluster):
    env = {
        **os.environ,
        "KESU_DATABASE_URL": cluster.url(cluster.primary_port),
        "KESU_DATABASE_REPLICA_URLS": cluster.url(cluster.replica_port),
        "KESU_DATA_DIR": str(cluster.root / "data"),
        "KESU_REPLICA_CHECK_SECONDS": "0",     # look at the replica's lag on every request
        "KESU_REPLICA_MAX_LAG_SECONDS": "0",   # and use it only when it has replayed all it received
        "KESU_REPLICA_PIN_SECONDS": "30",
        "KESU_TEST_REPLICA_STOP": json.dumps(cluster.stop_replica_argv()),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    done = subprocess.run([sys.executable, "-m", "kesu.core.tests.replica_probe"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_dashboard_reads_from_the_caught_up_replica(probe):
    page = probe["caught_up"]
    assert page["status"] == 200
    assert page["replica_queries"] > 0
    # The session and user come from the primary; the view's own reads do not.
    assert page["replica_queries"] > page["primary_queries"]


def test_a_user_reads_the_primary_right_after_their_own_write(probe):
    assert probe["write_status"] == 302  # the edit was saved
    page = probe["after_own_write"]
    assert page["status"] == 200
    assert page["replica_queries"] == 0


def test_a_lagging_replica_is_passed_over_and_the_newest_figures_shown(probe):
    page = probe["lagging"]
    assert page["status"] == 200
    assert page["replica_queries"] <= 1  # at most the lag check itself
    assert page["shows_new_name"]
    resumed = probe["resumed"]
    assert resumed["replica_queries"] > 1 and resumed["shows_new_name"]


def test_a_replica_that_goes_away_costs_no_error(probe):
    for key in ("replica_gone", "replica_still_gone"):
        page = probe[key]
        assert page["status"] == 200, key
        assert page["shows_new_name"], key
    assert probe["replica_still_gone"]["replica_queries"] == 0
