"""Where a request of the HTTP bench spends its time, in process: ``python -m kesu.bench.profile [kind …]``.

On the benchmark database (``KESU_DATABASE_URL``, after ``kesu bench generate``), each request kind of
``kesu bench run --only http`` (``baseline`` = /healthz, ``dashboard`` = the office's home page, ``cell_save``,
``api_analytics``; ``dashboard_first`` = the home page with its page memo emptied, as after a write that changes
what it shows; ``mixed`` = the three kesu kinds in turn, as the mixed load sends them, for the CPU per mixed request)
is made through Django's test client with the same accounts: the SQL statements of one request
and the CPU milliseconds per request over ``--repeat`` requests. With ``--profile DIR`` (needs pyinstrument, in the
``bench`` extra) a call tree per kind is written there. In process rather than against gunicorn: the figures are the
request path's own, without the queueing a loaded machine adds, so a change to it can be compared before and after.
"""

import argparse
import os
import re
import time

VERSION = re.compile(r'name="version" value="(\d+)"')


def _requests(actors):
    from django.test import Client

    from kesu.core import pagememo

    from .load import PASSWORD

    office, filler = Client(), Client()
    office.login(username=actors.office, password=PASSWORD)
    filler.login(username=actors.fillers[0][0], password=PASSWORD)
    api = Client(headers={"Authorization": f"Bearer {actors.token}"})
    path = actors.fillers[0][1]
    version = [0]

    def cell_save():
        r = filler.post(path, {"value": str(100 + version[0] % 900), "version": str(version[0]),
                               "explanation": "基准测试"}, headers={"HX-Request": "true"})
        found = VERSION.search(r.content.decode())
        version[0] = int(found.group(1)) if found else version[0]
        return r

    def dashboard_first():
        # the home page after a change of what it shows (an approval, a plan, a unit): its page data is read again
        pagememo.forget()
        return office.get("/")

    made = {"baseline": lambda: office.get("/healthz"), "dashboard": lambda: office.get("/"),
            "dashboard_first": dashboard_first, "cell_save": cell_save,
            "api_analytics": lambda: api.get(actors.api_query)}
    turn = [0]

    def mixed():
        # the home page as the mix leaves it (after cell saves), then a cell save, then an API query
        kind = ("dashboard", "cell_save", "api_analytics")[turn[0] % 3]
        turn[0] += 1
        return made[kind]()

    return {**made, "mixed": mixed}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="HTTP 基准各请求的 SQL 条数与 CPU 时间（进程内）")
    parser.add_argument("kinds", nargs="*",
                        default=["baseline", "dashboard", "dashboard_first", "cell_save", "api_analytics", "mixed"])
    parser.add_argument("--repeat", type=int, default=21)  # a multiple of three: whole turns of the mix
    parser.add_argument("--profile", metavar="DIR", help="用 pyinstrument 写出各请求的调用树")
    ns = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from .generate import load_dataset
    from .load import prepare_actors
    from .measure import places

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    data = load_dataset()
    if data is None:
        raise SystemExit("数据库中没有基准数据：先运行 kesu bench generate")
    requests = _requests(prepare_actors(places(data)[2], 1))
    for kind in ns.kinds:
        make = requests[kind]
        make(), make()  # warm: per-process caches, a first save
        statements = []

        def count(execute, sql, *args, seen=statements):
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            status = make().status_code
        started = time.thread_time()
        for _ in range(ns.repeat):
            make()
        cpu = (time.thread_time() - started) * 1000 / ns.repeat
        print(f"{kind}: HTTP {status}，SQL {len(statements)} 条，CPU {cpu:.1f} ms/请求")
        if ns.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(ns.repeat):
                    make()
            os.makedirs(ns.profile, exist_ok=True)
            with open(os.path.join(ns.profile, f"{kind}.txt"), "w") as out:
                out.write(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
