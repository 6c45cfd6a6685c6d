from django.shortcuts import render
from django.views.decorators.http import require_safe

from kesu.core import clock

from .scope import Scope
from .selectors import home_summary


@require_safe
def home(request):
    """The landing page; what it shows depends on the user's role."""
    scope = Scope.for_user(request.user)
    return render(request, "accounts/home.html", {"scope": scope, "summary": home_summary(scope, today=clock.today())})
