"""Error pages and refusal logging shared by every app.

``RequestErrorMiddleware`` turns a refusal that escaped a view (an ``ApplicationError``, e.g. a bad ``?region=``)
into the site's 400 page with its Chinese message, and answers a path id too large for any row with the 404 page
before the view runs a query that would overflow. ``OneLineRefusals`` keeps 4xx log records to one line: a refused
request is an expected event, not a fault, and a traceback per 403 hides the real faults in the log.
"""

import logging
import re

from django.db import DataError
from django.http import Http404
from django.shortcuts import render

from .exceptions import ApplicationError
from .params import MAX_ID

log = logging.getLogger("kesu.requests")


class RequestErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, _request, _view_func, view_args, view_kwargs):  # Django's middleware hook signature
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise Http404("编号超出范围")
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            message, field = exception.message, exception.field or "-"
        elif isinstance(exception, (OverflowError, DataError)):
            # A number or text no column can hold reached a query (e.g. a form's choice id of 30 digits): the
            # input is at fault, and the database has refused it before anything was written.
            message, field = "请求中的数值或文字超出了系统能保存的范围，请检查后重新提交。", type(exception).__name__
        else:
            return None
        log.warning("Bad request (%s): %s %s", field, request.method, request.get_full_path()[:300])
        return render(request, "400.html", {"message": message}, status=400)


class OneLineRefusals(logging.Filter):
    """Drops the traceback from 4xx records of ``django.request``/``django.security``; 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and (status is None or status < 500) and record.levelno < logging.ERROR:
            exc = record.exc_info[1]
            if exc is not None:  # the reason stays on the line; '%' is escaped because the message is a format
                reason = str(exc).replace("%", "%%").replace("\n", " ")[:200]
                record.msg = f"{record.msg} [{type(exc).__name__}{': ' + reason if reason else ''}]"
            record.exc_info = None
            record.exc_text = None
        return True


def csrf_failure(request, reason: str = ""):  # noqa: ARG001 (CSRF_FAILURE_VIEW signature)
    """The CSRF refusal in Chinese and in the site's layout (Django's own page is English)."""
    return render(request, "403.html", {"title": "请求已过期", "message":
                  "页面已过期或来自其他网站，请返回上一页刷新后再提交。如果反复出现，请重新登录。"}, status=403)


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _chinese_reason(exception) -> str:
    """The refusal's own words when a view gave Chinese ones (``Http404("没有该数据，或无权查看")``)."""
    reason = str(exception.args[0]) if exception is not None and exception.args else ""
    return reason if _CHINESE.search(reason) else ""


def page_not_found(request, exception=None):
    return render(request, "404.html", {"message": _chinese_reason(exception), "request_path": request.path},
                  status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"message": _chinese_reason(exception)}, status=403)
