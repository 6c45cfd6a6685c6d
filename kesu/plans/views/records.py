"""Policy documents and meetings."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error

from .. import selectors, services
from ..forms import DocumentForm, MeetingForm
from ._helpers import require_manager, scope_of


@require_safe
def document_list(request):
    scope = scope_of(request)
    return render(request, "plans/document_list.html", {
        "documents": selectors.documents_for_scope(scope), "can_manage": scope.can_manage,
    })


@require_safe
def meeting_list(request):
    scope = scope_of(request)
    return render(request, "plans/meeting_list.html", {
        "meetings": selectors.meetings_for_scope(scope), "can_manage": scope.can_manage,
    })


def _create(request, *, form_class, service, title, list_url, noun):
    scope = scope_of(request)
    require_manager(scope)
    form = form_class(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        require_manager(scope, region)
        try:
            obj = service(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已登记{noun}“{obj.title}”。")
            return redirect(list_url)
    return render(request, "plans/form.html", {"title": title, "form": form, "cancel_url": reverse(list_url)})


@require_http_methods(["GET", "POST"])
def document_create(request):
    return _create(request, form_class=DocumentForm, service=services.document_create, title="登记政策文件",
                   list_url="plans:document_list", noun="文件")


@require_http_methods(["GET", "POST"])
def meeting_create(request):
    return _create(request, form_class=MeetingForm, service=services.meeting_create, title="登记会议",
                   list_url="plans:meeting_list", noun="会议")
