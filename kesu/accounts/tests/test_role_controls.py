"""Each role sees only what it may use: every link and button a page shows to a role opens for that role.

The walk starts at the home page of the demo and follows the links of every page it reaches (two levels deep, the
menus included); a link that answers 403 is a control the role should not have been shown.
"""

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.django_db

HREF = re.compile(r"""<a\b[^>]*\bhref="([^"#]+)"[^>]*>""")
POST_FORM = re.compile(r"""<form\b[^>]*\bmethod="post"[^>]*>""", re.I)
ACTION = re.compile(r"""\baction="([^"]*)\"""")
SKIP = ("/accounts/logout", "/static/", "/media/", "/api/", "/admin/", "format=", ".json", "download", "/export")
PAGES = 90  # enough to reach every menu entry and the first rows of each list


def _links(base: str, html: str) -> list[str]:
    out = []
    for href in HREF.findall(html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not any(s in path for s in SKIP):
            out.append(path)
    return out


_WALKS: dict[str, tuple] = {}  # one walk per role per module: the pages are read, nothing is written


def _walk(client, username) -> tuple[dict, dict]:
    if username not in _WALKS:
        _WALKS[username] = _do_walk(client, username)
    refused, posts, opened = _WALKS[username]
    assert opened >= 12, f"只打开了 {opened} 个页面：遍历没有走开"
    return refused, posts


def _do_walk(client, username) -> tuple[dict, dict, int]:
    from kesu.accounts.models import User

    client.force_login(User.objects.get(username=username))
    seen, refused, posts = {"/"}, {}, {}
    queue = deque([("/", 0, "")])
    opened = 0
    while queue and opened < PAGES:
        url, depth, found_on = queue.popleft()
        response = client.get(url)
        opened += 1
        if response.status_code == 403:
            refused[url] = found_on
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in POST_FORM.findall(html):
            action = ACTION.search(form)
            posts.setdefault(action.group(1) if action else url, url)
        if depth < 2:
            for link in _links(url, html):
                if link not in seen:
                    seen.add(link)
                    queue.append((link, depth + 1, url))
    return refused, posts, opened


@pytest.mark.parametrize("username", ["leader", "quxian_edu"])
def test_no_link_shown_to_a_role_answers_403(demo_db, client, username):
    refused, _ = _walk(client, username)
    assert not refused, f"{username} 看到了无权使用的链接：{refused}"


def test_the_viewer_is_shown_no_form_that_writes(demo_db, client):
    _, posts = _walk(client, "leader")
    writes = {action: page for action, page in posts.items() if "logout" not in action}
    assert not writes, f"查看角色看到了提交数据的表单：{writes}"
