"""The planner's statistics after a bulk load (`maps.services.planner`)."""

import pytest
from django.db import connection

from maps.models import Territory
from maps.services.planner import refresh_statistics

pytestmark = pytest.mark.django_db


def test_a_bulk_load_leaves_the_tables_analysed(territories):
    """Without statistics PostgreSQL plans a freshly loaded database as nearly empty (the
    region page took 4× longer): the loaders end with one ANALYZE."""
    seconds = refresh_statistics()
    if connection.vendor != "postgresql":
        assert seconds is None
        return
    assert seconds >= 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'maps_territory'")
        (rows,) = cursor.fetchone()
    # every row of a small table is read by ANALYZE (-1 when never analysed)
    assert rows == Territory.objects.count() > 0
