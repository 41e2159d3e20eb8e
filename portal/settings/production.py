"""Production: gunicorn + PostgreSQL + a shared Redis cache, several app servers behind a
load balancer. Refuses to start with the development secret key or with DEBUG on.

HTTPS is on by default: Django redirects http to https, sends HSTS for a year and marks its
cookies Secure. Behind a TLS-terminating proxy (the usual set-up), the proxy sends
`X-Forwarded-Proto: https`, which Django trusts (TRUST_FORWARDED_PROTO=1, the default: then
never expose gunicorn directly). Switches, all read from the environment (README, "Production"):
SECURE_SSL_REDIRECT=0 when the proxy already redirects, SECURE_HSTS_SECONDS=0 when the proxy
sends HSTS itself, SECURE_COOKIES=0 only for plain-http tests on the loopback.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403


def _flag(name: str, default: str = "1") -> bool:
    return os.environ.get(name, default) == "1"


if SECRET_KEY == "dev-only-insecure-key-change-me" or not os.environ.get("SECRET_KEY"):  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be 0 in production.")

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
if _flag("TRUST_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain http
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD")
SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
