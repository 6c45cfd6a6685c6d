"""Odd requests never answer 500: every URL of the walk, as every role, with bad query parameters and huge ids.

The explicit list is what a probe of the running site found; the generated one sets every parameter name the views
read (scraped from their source) to each kind of bad value at once. A bad value must be refused (400), lead to the
page's own message (200/302) or a refusal (403/404/405) — never a server error.
"""

import re
from pathlib import Path

import pytest
from django.db import transaction

import kesu

from .test_url_walk import RULES, sign_in, url_of

KESU = Path(kesu.__file__).resolve().parent  # the package whose views are scraped
HUGE = "99999999999999999999"
EXPLICIT = [{"region": "x"}, {"region": HUGE}, {"year": HUGE}, {"period": "2026Q9"}, {"format": "xlsx", "region": "x"}]
BAD_VALUES = ["x", HUGE, "-1", "<script>" + "Ｘ" * 300]
# One account of each role (anonymous requests are all sent to the sign-in page before any parameter is read).
ROLES = ["filler_a", "office_x", "viewer_x", "admin"]
# 422: a whole form refused and shown again as typed (the 自评 form), which is an answer, not a failure
ALLOWED = {200, 204, 302, 400, 403, 404, 405, 422}


def _parameter_names() -> list[str]:
    """Every name a view reads from GET or POST, scraped from the views' source."""
    found = set()
    pattern = re.compile(r"""(?:GET|POST)\.(?:get|getlist)\(\s*["'](\w+)["']""")
    for path in KESU.glob("*/views*.py"):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    for path in KESU.glob("*/views/*.py"):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return sorted(found)


def _with_huge_id(url: str) -> str | None:
    """The URL with its last number replaced by one no 64-bit id can hold; None when it has none."""
    parts = re.split(r"(/\d+/)", url)
    numbered = [i for i, part in enumerate(parts) if re.fullmatch(r"/\d+/", part)]
    if not numbered:
        return None
    parts[numbered[-1]] = f"/{HUGE}/"
    return "".join(parts)


def test_the_generated_list_reads_the_views():
    names = _parameter_names()
    assert {"region", "year", "period"} <= set(names), names


@pytest.mark.parametrize("name", sorted(RULES))
def test_no_odd_request_answers_500(name, world, client):
    url = url_of(name, world)
    base = url.split("?")[0]
    generated = [{param: value for param in _parameter_names()} for value in BAD_VALUES]
    failures = []
    for role in ROLES:
        client = sign_in(client, world, role)
        targets = [(base, query) for query in EXPLICIT + generated]
        huge = _with_huge_id(base)
        if huge:
            targets.append((huge, {}))
        for target, query in targets:
            status = client.get(target, query).status_code
            if status not in ALLOWED:
                failures.append(f"GET {role} {target} {query} → {status}")
        if RULES[name][2] and role in RULES[name][2]:
            for query in generated[:3]:
                with transaction.atomic():  # a POST that is let through is rolled back: every role meets one world
                    status = client.post(base, query).status_code
                    transaction.set_rollback(True)
                if status not in ALLOWED:
                    failures.append(f"POST {role} {base} {next(iter(query.values()))[:10]} → {status}")
    assert not failures, "\n".join(failures[:20])
