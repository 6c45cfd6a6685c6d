"""``python -m kesu.core.dbcheck URL``: exit 0 when the database at URL accepts a connection."""

import sys


def reachable(url: str) -> bool:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            dbname=cfg["NAME"], user=cfg["USER"] or None, password=cfg["PASSWORD"] or None,
            host=cfg["HOST"] or None, port=cfg["PORT"] or None, connect_timeout=3,
        ):
            return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
