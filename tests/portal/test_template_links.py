"""Templates link by name ({% url %}, {% listing_url %}, `territory_url`), never by a
hard-coded "/…": a renamed route or a moved page then changes one place, not forty."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"
HARD_CODED = re.compile(r'(?:href|action|src)="/[^"]*"')


def test_no_template_hard_codes_a_portal_address():
    found = {str(path.relative_to(TEMPLATES)): HARD_CODED.findall(path.read_text("utf-8"))
             for path in TEMPLATES.rglob("*.html")}
    assert {name: links for name, links in found.items() if links} == {}
    assert len(found) > 20  # the folder was read
