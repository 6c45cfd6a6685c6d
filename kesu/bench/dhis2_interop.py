"""Check the DHIS2 exchange with a real DHIS2 client library (dhis2.py, the `interop` extra) against a running kesu.

    python -m kesu.bench.dhis2_interop --url http://127.0.0.1:8000 --user office --password … \\
        --org-unit 511725 --period 2025

The server must accept HTTP Basic (``KESU_API_BASIC_AUTH=1``), which is how dhis2.py authenticates. The script
exports a data value set as JSON and as CSV through the library, posts each back with ``dryRun`` (it must be a
no-op: everything ignored, no conflicts), posts a row for a period kesu does not collect (it must come back as a
409 ImportSummary conflict with DHIS2's error code E7632) and prints what it found. Nothing is written.
"""

import argparse
import json
import sys


def main(argv=None) -> int:
    from dhis2 import Api, RequestException

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--org-unit", required=True)
    parser.add_argument("--period", required=True)
    args = parser.parse_args(argv)
    api = Api(args.url, args.user, args.password)
    checks = []

    params = {"orgUnit": args.org_unit, "period": args.period, "limit": 1000}
    exported = api.get("dataValueSets", params=params).json()  # the library asks for /dataValueSets.json
    values = exported["dataValues"]
    checks.append(("JSON export", len(values) > 0, f"{len(values)} values, pager {exported.get('pager')}"))

    summary = api.post("dataValueSets", json={"dataValues": values}, params={"dryRun": "true"}).json()
    count = summary["response"]["importCount"]
    checks.append(("JSON re-import is a no-op", count == {"imported": 0, "updated": 0, "ignored": len(values),
                                                         "deleted": 0}, json.dumps(count)))

    text = api.get("dataValueSets", file_type="csv", params=params).text  # the library asks for /dataValueSets.csv
    summary = _post_csv(api, text)
    count = summary["response"]["importCount"]
    checks.append(("CSV re-import is a no-op", count["imported"] + count["updated"] + count["deleted"] == 0
                   and not summary["response"]["conflicts"], json.dumps(count)))

    bad = {"dataValues": [{**values[0], "period": f"{args.period}01"}]} if values else {"dataValues": []}
    try:
        api.post("dataValueSets", json=bad, params={"dryRun": "true"})
        checks.append(("uncollected period refused", False, "accepted"))
    except RequestException as exc:
        body = json.loads(exc.description)
        conflict = body["response"]["conflicts"][0]
        checks.append(("uncollected period refused", exc.code == 409 and conflict["errorCode"] == "E7632",
                       f"{exc.code} {conflict['errorCode']} {conflict['value']}"))

    for name, ok, detail in checks:
        print(f"{'通过' if ok else '失败'}  {name}: {detail}")
    return 0 if all(ok for _, ok, _ in checks) else 1


def _post_csv(api, text: str) -> dict:
    """dhis2.py posts JSON by default; a CSV body goes through its session with DHIS2's CSV content type."""
    response = api.session.post(f"{api.api_url}/dataValueSets", params={"dryRun": "true"}, data=text.encode(),
                                headers={"Content-Type": "application/csv"})
    response.raise_for_status()
    return response.json()


if __name__ == "__main__":
    sys.exit(main())
