"""``Server-Timing`` on every response when ``KESU_SERVER_TIMING`` is on: what a request cost inside the worker.

``cpu`` is the CPU time of the thread that served the request (so other threads' work in the same gthread process
is not counted), ``app`` the wall time from the first middleware to the response, ``db`` the number of SQL
statements, ``proc`` the worker process that served it. ``kesu bench run --only http`` reads these to report CPU
milliseconds per page measured where the work is done, not inferred from latency under load, and how the requests
spread over the processes. Off by default: the header tells a client how the server works.
"""

import os
import time

from django.db import connection


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        wall, cpu = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        cpu_ms = (time.thread_time() - cpu) * 1000
        wall_ms = (time.perf_counter() - wall) * 1000
        response["Server-Timing"] = (f"cpu;dur={cpu_ms:.2f}, app;dur={wall_ms:.2f}, db;desc=\"{statements[0]}\", "
                                     f"proc;desc=\"{os.getpid()}\"")
        return response
