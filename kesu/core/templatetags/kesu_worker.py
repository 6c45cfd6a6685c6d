"""``{% worker_warning %}``: a banner on every signed-in page while tasks wait and no worker is alive."""

from django import template

from kesu.core.worker import stalled_queue

register = template.Library()


@register.inclusion_tag("core/worker_warning.html", takes_context=True)
def worker_warning(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"stalled": None}
    return {"stalled": stalled_queue(), "is_admin": user.is_superuser or user.role == "admin"}
