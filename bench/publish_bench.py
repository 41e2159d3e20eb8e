"""Publishing a project from the admin: the time a staff member waits after « Publier » for
a project covering an EPCI (CA de la Porte du Hainaut, 47 communes), on the database of
DATABASE_URL (territories and seed loaded). Budget: 1.5 s.

Each round posts the real edit form (as the browser does) with « Publier », so it measures
form validation, the revision, the publish signals (coverage rebuild, data version, search
and reference indexes, monitoring tables) and the redirect. A temporary project is created
under FAAD and deleted at the end. Run it with `nice -n 10` on a shared machine and read it
with the load average it prints.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.test.utils.form_data import querydict_from_html  # noqa: E402

from maps.models import Territory  # noqa: E402
from projects.models import ProgrammePage, ProjectPage, ProjectTerritory  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BUDGET_MS = 1500


def main() -> int:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a database filled before the latest migrations
    load = os.getloadavg()
    print(f"database: {connection.vendor}, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}", flush=True)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-publish", defaults={"is_superuser": True, "is_staff": True})
    user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    faad = ProgrammePage.objects.get(slug="faad")
    epci = Territory.objects.get(scale="epci", code="200042190")
    project = faad.add_child(instance=ProjectPage(title="Banc d'essai de publication",
                                                  slug="banc-essai-publication", live=False))
    ProjectTerritory.objects.create(project=project, territory=epci)
    project.save_revision(user=user)
    url = f"/admin/pages/{project.pk}/edit/"
    timings, counts = [], []
    try:
        for number in range(ROUNDS):
            data = querydict_from_html(client.get(url).content.decode(),
                                       form_id="page-edit-form")
            data["summary"] = f"Round {number}"
            data["action-publish"] = "action-publish"
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.post(url, data)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 302, response.status_code
            timings.append(elapsed)
            counts.append(len(queries))
            print(f"round {number + 1}: {elapsed:6.0f} ms, {len(queries)} queries", flush=True)
        project.refresh_from_db()
        covered = project.coverage.count()
    finally:
        ProjectPage.objects.get(pk=project.pk).delete()
    median = statistics.median(timings)
    print(f"publish of a project covering an EPCI ({covered} communes): median "
          f"{median:.0f} ms, max {max(timings):.0f} ms, {statistics.median(counts):.0f} "
          f"queries; budget {BUDGET_MS} ms → {median / BUDGET_MS:.2f} of the budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
