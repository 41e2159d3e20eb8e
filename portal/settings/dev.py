"""Local development: `make run` (embedded SQLite unless DATABASE_URL is set)."""

import os

os.environ.setdefault("DEBUG", "1")

from portal.settings.base import *  # noqa: E402,F403

DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = ["*"]
