"""The collection's configuration read once for a run of many returns: ``with configuration_held(): …``.

Every write of figures and every submit reads the same configuration again: the data sets that cover the reporter,
their indicators, the validation rules of the region, the activity and outlier rules. A single cell save reads them
once, which is right; a bulk run (the demo's years of returns, an import of many reporters) reads them hundreds of
times although they do not change while it runs. Inside the block each of those reads is done once per key and kept
until the block ends; outside it ``remembered`` just computes. The services that change the configuration
(``data_set_create``, ``rule_create``, ``outlier_rule_save``, ``load_rules``) call ``forget()``, so a block that
changes it still reads the new configuration.

Only the configuration is kept, never figures, returns or statuses: a kept value is what a fresh read gives.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_held: ContextVar[dict | None] = ContextVar("configuration_held", default=None)


@contextmanager
def configuration_held():
    """Within the block, configuration reads are done once per key (nested blocks share the outer one's)."""
    if _held.get() is not None:
        yield
        return
    token = _held.set({})
    try:
        yield
    finally:
        _held.reset(token)


def remembered(key: tuple, compute):
    """``compute()``, kept under ``key`` while a ``configuration_held()`` block is open."""
    kept = _held.get()
    if kept is None:
        return compute()
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def forget() -> None:
    """The configuration changed: what the open block kept is read again."""
    kept = _held.get()
    if kept is not None:
        kept.clear()
