"""Production: gunicorn + PostgreSQL + a shared Redis cache, several app servers behind a
load balancer. Refuses to start with the development secret key or with DEBUG on."""

import os

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403

if SECRET_KEY == "dev-only-insecure-key-change-me" or not os.environ.get("SECRET_KEY"):  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be 0 in production.")

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
