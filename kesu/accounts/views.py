from django.shortcuts import render

from .scope import Scope
from .selectors import home_summary


def home(request):
    """The landing page; what it shows depends on the user's role."""
    scope = Scope.for_user(request.user)
    return render(request, "accounts/home.html", {"scope": scope, "summary": home_summary(scope)})
