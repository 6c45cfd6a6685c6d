"""`kesu serve` refuses a port another server already listens on, instead of sharing it (its processes listen with
SO_REUSEPORT, which a second server started the same way would otherwise join)."""

import socket

import pytest
from django.core.management.base import CommandError

from kesu.core.management.commands.kesu_serve import refuse_port_in_use


def _listener(reuse_port: bool) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn's listeners
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain listener", "another kesu serve"])
def test_a_port_with_a_listener_is_refused_in_chinese(reuse_port):
    with _listener(reuse_port) as other:
        port = other.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port} 已被占用"):
            refuse_port_in_use("127.0.0.1", port)


def test_a_free_port_and_one_left_by_closed_connections_are_accepted():
    server = _listener(reuse_port=True)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end of the connection waits in TIME_WAIT
    client.close()
    server.close()
    refuse_port_in_use("127.0.0.1", port)  # a restarted server may take the port at once
