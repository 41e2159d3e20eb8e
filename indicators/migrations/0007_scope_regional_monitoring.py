"""The monitoring tables count the region's projects only (`ProjectPage.in_home_region`):
empty them, so that the next `load_seed` (which rebuilds them when they are not built)
computes them without the examples elsewhere in France."""

from django.db import migrations


def empty(apps, schema_editor):
    for name in ("ProjectArea", "CoverageAggregate", "IndicatorAggregate"):
        apps.get_model("indicators", name).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0006_staff_validation"),
        ("projects", "0008_scope_in_home_region"),
    ]

    operations = [migrations.RunPython(empty, migrations.RunPython.noop)]
