"""The WSGI entry point (gunicorn portal.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
application = get_wsgi_application()

# Everything loaded so far (modules, settings, URLconf, apps' registries) lives as long as the
# process: moved out of the collector's generations, a full collection no longer walks it
# (about a tenth of an export's CPU went to the collector at 10,000 projects).
gc.freeze()
