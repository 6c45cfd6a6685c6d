"""``python -m kesu.extraction extract|dedup …`` — the engine's command line."""

import sys

from .commands import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
