"""Request parameters parsed in one place: bad input becomes a 400 with a Chinese message, never a 500.

Views read a query or form value through these helpers instead of calling ``int()`` on it. A value that cannot be
what the page needs raises ``BadParameter``, which ``RequestErrorMiddleware`` answers with the site's 400 page.
``safe_next`` is the one check a posted ``next`` passes before the server redirects to it.
"""

from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import ApplicationError

# Ids are 64-bit integers in both databases; anything longer cannot name a row and would overflow the query.
MAX_ID = 2**63 - 1


class BadParameter(ApplicationError):
    """A request parameter that cannot be used; ``field`` names it."""


def int_param(data, name: str, *, default: int | None = None, minimum: int | None = None,
              maximum: int | None = MAX_ID, label: str | None = None) -> int | None:
    """The integer ``data[name]`` (a QueryDict or dict); ``default`` when it is absent or empty."""
    raw = (data.get(name) or "").strip()
    if raw == "":
        return default
    label = label or name
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        raise BadParameter(f"参数“{label}”应为整数，收到“{raw[:40]}”。", field=name)
    value = int(raw)
    if minimum is not None and value < minimum:
        raise BadParameter(f"参数“{label}”不能小于 {minimum}，收到 {value}。", field=name)
    if maximum is not None and value > maximum:
        raise BadParameter(f"参数“{label}”不能大于 {maximum}，收到 {raw[:40]}。", field=name)
    return value


def id_param(data, name: str, *, label: str | None = None) -> int | None:
    """A row id: a positive 64-bit integer, or None when absent."""
    return int_param(data, name, minimum=1, label=label)


def year_param(data, name: str = "year", *, default: int | None = None) -> int | None:
    """A calendar year the system can hold (1949–2100: the programme's records and its plans)."""
    return int_param(data, name, default=default, minimum=1949, maximum=2100, label="年份")


def safe_next(request, name: str = "next") -> str | None:
    """The posted (or queried) ``next`` when it points into this site; None otherwise (open redirects refused)."""
    target = request.POST.get(name) or request.GET.get(name)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None
