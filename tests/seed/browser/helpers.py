"""Helpers of the tests that drive the production-settings servers: database work committed
from a thread of its own, and accounts those servers can log in."""

import threading

PASSWORD = "pw-navigateur-1234"


def in_thread(work):
    """Run `work` in its own thread (own database connection, committed), return its result."""
    from django.db import connection

    result = {}

    def run():
        try:
            result["value"] = work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert "value" in result, "database work failed (see the thread's traceback)"
    return result["value"]


def production_password() -> str:
    """The password hashed as the production server can check it: the test settings hash
    with MD5 (fast), which production's PASSWORD_HASHERS do not list, so an account saved
    with `create_user(password=...)` here could never log in there."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.utils.crypto import get_random_string

    return PBKDF2PasswordHasher().encode(PASSWORD, get_random_string(12), iterations=1000)
