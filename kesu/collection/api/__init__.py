"""The collection app's REST routes: figures, activities and narratives (``records``), the review workflow of
returns (``workflow``) and the DHIS2 data value set exchange (``exchange``). Reads go through the collection
selectors, writes through its services — the same checks, locks and audit as the forms."""

from .exchange import router as exchange_router
from .records import router as records_router
from .workflow import router as workflow_router

__all__ = ["exchange_router", "records_router", "workflow_router"]
