"""A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator's (``kesu/bench/load.py``).

Why not a general client: the generator runs on the same cores as the server it measures, so every millisecond of
CPU it spends per request is taken from the server and shows up as the server's latency. httpx on asyncio cost
several ms of CPU per request here (docs/scale.md, "The load generator"), which on two cores capped even the
minimal view; this client writes the request bytes and reads the status line, the headers and the body, and does
nothing else. It speaks only what ``kesu serve`` (gunicorn) answers: bodies with ``Content-Length`` or chunked; an
answer with neither is refused with ``ProtocolError`` rather than guessed at.

Cookies are kept explicitly: each ``Set-Cookie`` replaces (or, when expired, removes) the cookie of that name, and
every request carries them all. One connection serves one request at a time, as a browser tab does.
"""

import asyncio
from dataclasses import dataclass
from urllib.parse import urlencode

HEAD_END = b"\r\n\r\n"


class ProtocolError(Exception):
    """An answer this client does not read (no length, a malformed status line or chunk)."""


@dataclass(slots=True)
class Response:
    status: int
    headers: dict  # lower-cased name → value (the last one of a repeated name; cookies are kept by the connection)
    body: bytes


class Connection:
    """One keep-alive connection to ``host:port``, opened on first use and again whenever the server closed it."""

    def __init__(self, host: str, port: int, *, timeout: float = 60.0, headers: dict | None = None):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self._headers = {"Host": f"{host}:{port}", **(headers or {})}
        self._fixed = b""  # the encoded headers every request carries; rebuilt when a cookie changes
        self._reader = self._writer = None
        self._encode_fixed()

    def _encode_fixed(self) -> None:
        lines = [f"{name}: {value}\r\n" for name, value in self._headers.items()]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n")
        self._fixed = "".join(lines).encode("latin-1")

    def set_cookies(self, cookies: dict) -> None:
        self.cookies.update(cookies)
        self._encode_fixed()

    async def get(self, path: str, headers: dict | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, form: dict, headers: dict | None = None) -> Response:
        """A form post (``application/x-www-form-urlencoded``, UTF-8)."""
        return await self.request("POST", path, urlencode(form).encode(), headers,
                                  content_type="application/x-www-form-urlencoded")

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None,
                      content_type: str = "") -> Response:
        head = f"{method} {path} HTTP/1.1\r\n"
        if headers:
            head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        if body or method == "POST":
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        data = head.encode("latin-1") + self._fixed + b"\r\n" + body
        try:
            async with asyncio.timeout(self.timeout):
                if self._reader is None or self._reader.at_eof():  # never opened, or closed by the server while idle
                    await self._open()
                # No drain(): the request is small, and the answer is read at once, which waits for it to be sent.
                self._writer.write(data)
                return await self._read()
        except BaseException:
            self.close()  # after a failure the connection's state is unknown: the next request opens a new one
            raise

    async def _open(self) -> None:
        self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def _read(self) -> Response:
        head = await self._reader.readuntil(HEAD_END)
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"无法解析的状态行：{lines[0][:80]!r}")
        status, headers, cookies_changed = int(parts[1]), {}, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = value
            if name == "set-cookie":
                self._take_cookie(value)
                cookies_changed = True
        if cookies_changed:
            self._encode_fixed()
        body = await self._body(status, headers)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status=status, headers=headers, body=body)

    async def _body(self, status: int, headers: dict) -> bytes:
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return await self._chunked()
        if status in (204, 304) or status < 200:
            return b""
        raise ProtocolError(f"HTTP {status} 的应答既无 Content-Length 也非 chunked，无法确定正文长度")

    async def _chunked(self) -> bytes:
        chunks = []
        while True:
            size_line = await self._reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError(f"无法解析的分块长度：{size_line[:40]!r}") from None
            if size == 0:
                while await self._reader.readuntil(b"\r\n") != b"\r\n":  # trailers, if any, end with an empty line
                    pass
                return b"".join(chunks)
            chunks.append(await self._reader.readexactly(size))
            if await self._reader.readexactly(2) != b"\r\n":
                raise ProtocolError("分块正文后缺少 CRLF")

    def _take_cookie(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        name, _, value = pair.partition("=")
        name, value = name.strip(), value.strip().strip('"')
        attributes = attributes.lower().replace(" ", "")
        if not value or "max-age=0" in attributes or "expires=thu,01jan1970" in attributes:
            self.cookies.pop(name, None)  # Django deletes a cookie by sending it empty, expired, with Max-Age=0
        else:
            self.cookies[name] = value

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
