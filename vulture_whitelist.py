"""Names Django and the libraries reach by name, which vulture cannot see being used.

Read by vulture only (never imported): each line uses a name the way the framework does.
"""

from kesu.accounts import api_auth
from kesu.analytics.selectors import periods, progress
from kesu.collection import outliers
from kesu.core import configuration, errors, middleware, replicas, security, timing
from kesu.extraction import engine
from kesu.extraction.models import ExtractedFact

# settings.MIDDLEWARE, DATABASE_ROUTERS, CSRF_FAILURE_VIEW and the handler404/403 of kesu/urls.py name these.
errors.RequestErrorMiddleware
errors.csrf_failure
errors.page_not_found
errors.permission_denied
middleware.ChooseFirstMiddleware
replicas.ReplicaRouter
replicas.ReplicaReadMiddleware
security.SecurityHeadersMiddleware
timing.ServerTimingMiddleware

# Migration core.0003 (vulture does not read migrations) installs the configuration's version token with this.
configuration.install

# django-ninja calls APIKeyCookie._get_key to read the credential.
api_auth.SessionAuth._get_key

# Module __getattr__ (PEP 562): the engine's lazily imported names.
engine.__getattr__

# Properties the templates read (vulture reads Python only).
progress.TaskProgress.status_class
periods.YearChoice.page_note
periods.YearChoice.options
progress.Progress.status_class
outliers.Figure.change_pct
ExtractedFact.feature_labels
