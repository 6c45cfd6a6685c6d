"""The world every cross-app test walks: built once per module, each test in a savepoint within it."""

import pytest
from django.db import transaction
from django.test import override_settings

from kesu.testing import make_world


@pytest.fixture(scope="module")
def world_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built inside a transaction that is rolled back after the module.

    Hundreds of tests read the same world; building it for each took most of their time. A test's own writes
    (``db``) are rolled back to this savepoint, so every test still meets the same data. The files the world's rows
    point at live in a media folder of the module's own: no test deletes them (the walk's POSTs carry no data).
    """
    media = tmp_path_factory.mktemp("media")
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast_hasher, MEDIA_ROOT=media):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield make_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(world_module, db):
    return world_module
