from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from axes.signals import user_locked_out

        from portal import admin_dates
        from portal.views.lockouts import log_lockout

        user_locked_out.connect(log_lockout, dispatch_uid="portal-log-lockout")
        admin_dates.register()
