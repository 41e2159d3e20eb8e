"""Settings shared by every environment.

Everything that differs between a laptop, CI and production is read from the environment, so
the same code runs everywhere: `DATABASE_URL` (SQLite file by default, PostgreSQL in CI and
production), `CACHE_URL` (a shared Redis when several app servers run), `MAP_TILES_URL`.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "portal",
    "indicators",
    "projects",
    "maps",
    "widget_tweaks",
    "dsfr",
    "django_filters",
    "csp",
    "axes",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.csp.PortalCSPMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.middleware.RejectControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.page_cache.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by its backend into the page below.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# An empty DATABASE_URL means "the embedded default" (`make test-sqlite` relies on it).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # No JIT compilation: the listing's statements are short, but their cost estimates
    # cross jit_above_cost and PostgreSQL spent ~0.5 s compiling each one (measured on the
    # national bench); an OLTP site never recovers that time.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

# The cache is optional: with Redis unreachable, every cache read is a miss and every write is
# dropped (django-redis IGNORE_EXCEPTIONS), so pages are computed and served uncached. Short
# socket timeouts keep a dead Redis host from stalling requests; the errors are logged at most
# once per CACHE_ERROR_LOG_INTERVAL seconds per process (logger "portal.cache", see LOGGING).
if os.environ.get("CACHE_URL", "").startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.25")),
                "SOCKET_TIMEOUT": float(os.environ.get("CACHE_TIMEOUT", "0.5")),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "portal.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
#: Rendered fragments of this process (base.html: header and footer, keyed on everything
#: they show): local memory even with Redis, a network round trip would cost what it saves.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 1000}}

# Whole-page cache of anonymous GETs (portal/page_cache.py): listing, programme, territory,
# explorer and monitoring pages, keyed on the sorted query string + data versions + language.
PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE", "1") == "1"
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))  # browsers, proxies
PAGE_CACHE_TIMEOUT = 3600  # server-side cache entries (a publish invalidates them anyway)

# Throttled logins (django-axes): 5 failed logins for one username from one IP address lock
# that pair out for 15 minutes (French page, HTTP 429); a successful login clears the count.
# Staff unlock from the admin (« Connexions bloquées ») or with `manage.py axes_reset_username`.
# Behind a reverse proxy, AXES_PROXY_COUNT=1 reads the client address from X-Forwarded-For.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.views.lockouts.login_locked_out"
AXES_ENABLE_ADMIN = False  # Django's admin is not served; the Wagtail admin has its own view
AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_PROXY_COUNT"]) if os.environ.get(
    "AXES_PROXY_COUNT") else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAIL_I18N_ENABLED = False

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")  # uploads, backed up
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The DSFR CSS is rewritten by whitenoise's manifest storage in production, which breaks the
# SRI hashes shipped by django-dsfr: the browser would then refuse the styles (DESIGN.md §6).
DSFR_USE_INTEGRITY_CHECKSUMS = False

WAGTAIL_SITE_NAME = "Portail régional des projets"
# Staff admin: ASCII slugs like the seed's, dates typed and shown the French way (15/01/2026),
# review notifications through Django's mail settings (console in development).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# No autosave in the editor: on a new page, Wagtail 8's first autosave creates the page, and a
# « Soumettre » or « Publier » clicked while that request is in flight posts the creation
# again: the second `add_child` under the same parent fails (a 500, seen in the staff browser
# test on a loaded machine). Staff save drafts and submit explicitly (the review workflow).
WAGTAIL_AUTOSAVE_INTERVAL = 0
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portail-projets@localhost")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# French full-text search: on PostgreSQL a `french_unaccent` configuration created by
# portal/migrations/0001 (unaccent before the French stemmer); SQLite uses FTS5.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "french_unaccent" if IS_POSTGRES else None,
        "AUTO_UPDATE": True,
    }
}

# Map tiles: a setting, so that an offline or sovereign deployment can point at its own server
# (IGN Géoplateforme: https://data.geopf.fr/wmts?...&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2...).
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>',
)

# -- Security headers ------------------------------------------------------------------
# Content Security Policy (django-csp 4). Portal pages: everything from our own origin, no
# inline script (static files, or a nonce: `<script nonce="{{ request.csp_nonce }}">`), style
# attributes allowed but no inline <style> element, never framed. The map documents served in
# iframes (folium writes inline scripts and styles) and the Wagtail admin (inline scripts in
# its panels and widgets) get their own policies: see portal/csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the portal never uses, denied to the page and to anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), "
    "display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), publickey-credentials-get=(), serial=(), usb=(), "
    "xr-spatial-tracking=(), browsing-topics=()"
)

CACHE_ERROR_LOG_INTERVAL = int(os.environ.get("CACHE_ERROR_LOG_INTERVAL", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "once_per_interval": {
            "()": "portal.logging.OncePerInterval",
            "seconds": CACHE_ERROR_LOG_INTERVAL,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Redis unreachable: one line (with the traceback) per interval, not one per request.
        "portal.cache": {"level": "WARNING", "filters": ["once_per_interval"]},
        # Lockouts (one line each, portal.lockouts) and failed logins (axes) stay in the log.
        "axes": {"level": "INFO"},
    },
}

# The legal pages name who answers and who hosts: set them for each deployment (README).
#: INSEE code of the region this portal serves (Hauts-de-France). Listings, counts and maps
#: are regional by default; every module reads it through maps.models.home_region_code().
PORTAL_HOME_REGION = os.environ.get("PORTAL_HOME_REGION", "32")
PORTAL_CONTACT_EMAIL = os.environ.get("PORTAL_CONTACT_EMAIL", "")
PORTAL_HOSTING = os.environ.get("PORTAL_HOSTING", "")

# Open data (/donnees/): who publishes the datasets, and the year of the official reference
# each territory code comes from (INSEE COG for communes, départements and regions; DGCL
# perimeters for EPCI), published next to every raw code.
PORTAL_PRODUCER = os.environ.get(
    "PORTAL_PRODUCER", "DREETS Hauts-de-France et ARS Hauts-de-France")
PORTAL_REFERENCE_YEARS = {"region": 2026, "departement": 2026, "commune": 2026, "epci": 2025}
# data·inclusion: our producer identifier, prefix of every exported service and structure id.
PORTAL_DATA_INCLUSION_SOURCE = os.environ.get("PORTAL_DATA_INCLUSION_SOURCE",
                                              "portail-projets-hdf")
