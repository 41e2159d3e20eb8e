"""Staff admin hooks (#13): dashboard panels and the stale-edit guard."""

from wagtail import hooks

from portal.admin_dashboard import add_panels
from portal.stale_edits import refuse_stale_edit

hooks.register("construct_homepage_panels", add_panels)
hooks.register("before_edit_page", refuse_stale_edit)
