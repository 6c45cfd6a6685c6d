"""``/healthz``: the cheapest answer the application can give, for load balancers and as the benchmark's baseline.

It passes the whole middleware stack (so it proves the process serves requests) but reads no database: a load
balancer probing every second must not add load, and the benchmark compares every page's cost against it.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
@never_cache
def healthz(request):  # noqa: ARG001 (a Django view's signature)
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
