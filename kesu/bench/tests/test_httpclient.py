"""The load generator's HTTP client reads what a server answers — lengths, chunks, cookies, closed connections — and
refuses what it cannot read, so a benchmark never counts a misread answer as a success."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from kesu.bench.httpclient import Connection, ProtocolError


def _serve(answers: list[bytes], seen: list[bytes]):
    """A server on a free port that answers each request on a connection with the next canned answer; an answer
    ending in ``CLOSE`` closes the connection after it is sent."""

    async def handle(reader, writer):
        while answers:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = next((int(line[15:]) for line in head.split(b"\r\n") if line.startswith(b"Content-Length: ")), 0)
            seen.append(head + await reader.readexactly(length))
            answer = answers.pop(0)
            closing = answer.endswith(b"CLOSE")
            writer.write(answer.removesuffix(b"CLOSE"))
            await writer.drain()
            if closing:
                break
        writer.close()

    return asyncio.start_server(handle, "127.0.0.1", 0)


def _run(answers, requests):
    seen = []

    async def main():
        server = await _serve(answers, seen)
        conn = Connection("127.0.0.1", server.sockets[0].getsockname()[1], timeout=5)
        try:
            return [await step(conn) for step in requests], conn
        finally:
            conn.close()
            server.close()

    # On a thread of its own: once a browser test has run, Playwright's event loop is running in the test thread.
    with ThreadPoolExecutor(1) as pool:
        got, conn = pool.submit(asyncio.run, main()).result()
    return got, conn, seen


def test_keep_alive_lengths_chunks_and_cookies():
    answers = [
        b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nSet-Cookie: sessionid=abc; HttpOnly; Path=/\r\n"
        b"Set-Cookie: csrftoken=t1; Path=/\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer-Timing: cpu;dur=1.5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n",
        b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nSet-Cookie: sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; '
        b"Max-Age=0; Path=/\r\n\r\n",
    ]
    got, conn, seen = _run(answers, [
        lambda c: c.post("/accounts/login/", {"username": "王", "password": "p"}),
        lambda c: c.get("/healthz"),
        lambda c: c.get("/"),
        lambda c: c.get("/accounts/logout/"),
    ])
    assert [r.status for r in got] == [302, 200, 200, 200]
    assert got[1].body == b"hello" and got[1].headers["server-timing"] == "cpu;dur=1.5"
    assert got[2].body == b"abcdefg"
    # the cookies set by the sign-in go with the next requests; the one the server deleted does not
    assert b"Cookie: sessionid=abc; csrftoken=t1\r\n" in seen[1]
    assert conn.cookies == {"csrftoken": "t1"}
    # the form is sent UTF-8, with its length; all four requests went over the one connection
    assert b"Content-Length: 29\r\n" in seen[0] and seen[0].endswith(b"\r\n\r\nusername=%E7%8E%8B&password=p")
    assert len(seen) == 4


def test_a_connection_the_server_closed_is_opened_again():
    answers = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nokCLOSE",
               b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]
    got, _, seen = _run(answers, [lambda c: c.get("/healthz"), lambda c: c.get("/healthz")])
    assert [r.body for r in got] == [b"ok", b"ok"] and len(seen) == 2


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\n\r\nno length, the body would run to the close",
    b"SSH-2.0-OpenSSH\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
])
def test_an_answer_it_cannot_read_is_refused(answer):
    with pytest.raises(ProtocolError):
        _run([answer], [lambda c: c.get("/")])


def test_an_answer_cut_short_is_an_error():
    with pytest.raises(asyncio.IncompleteReadError):
        _run([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshortCLOSE"], [lambda c: c.get("/")])
