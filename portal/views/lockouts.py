"""Locked-out logins (django-axes): the page the person sees, one log line per lockout, and
the staff view listing them with a button to unlock each one (Wagtail admin, « Paramètres »
› « Connexions bloquées »; superusers or holders of `axes.delete_accessattempt`)."""

import logging

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

logger = logging.getLogger("portal.lockouts")
PERMISSION = "axes.delete_accessattempt"


def log_lockout(sender, request, username, ip_address, **kwargs):
    """Receiver of django-axes' `user_locked_out`: one plain line per lockout (axes masks the
    username and address in its own messages), for the security log."""
    logger.warning("login locked out: username=%r ip=%s path=%s", username, ip_address,
                   getattr(request, "path", ""))


def locked_attempts():
    """The username+address pairs refused right now (failure limit reached within the
    cool-off period), most recent first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


class LockoutsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/admin/lockouts.html"
    page_title = gettext_lazy("Locked-out logins")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = locked_attempts()
        context["cooloff_minutes"] = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return context

    def post(self, request):
        attempt = locked_attempts().filter(pk=request.POST.get("attempt")).first()
        if attempt is not None:
            reset(username=attempt.username, ip=attempt.ip_address)
            logger.warning("login unlocked by %s: username=%r ip=%s", request.user.get_username(),
                           attempt.username, attempt.ip_address)
            messages.success(request, _("The login “%(username)s” is unlocked.")
                             % {"username": attempt.username})
        return redirect("portal_lockouts")


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username+address pair is locked out (AXES_LOCKOUT_CALLABLE):
    the French page, HTTP 429, with the lockout duration from the settings."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "portal/lockout.html", context, status=429)
