"""The two accessibility checkers the RGAA work relies on, both from the npm registry and
installed by `.ci/run` into $PORTAL_TOOLS (default /opt/portal-tools): axe-core, injected into
a Playwright page, and the Nu HTML checker (vnu.jar, run with Debian's JRE). Locally a missing
checker skips the test; in CI (CI=true) it fails, so a green CI always means "checked"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(os.environ.get("PORTAL_TOOLS", "/opt/portal-tools")) / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _require(path: Path, what: str) -> None:
    if path.exists() and (path != VNU or shutil.which("java")):
        return
    message = f"{what} is missing ({path}): run .ci/run, or npm install --prefix {TOOLS.parent}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page, impacts=("serious", "critical", "moderate")) -> list[str]:
    """Run axe-core (WCAG 2.x A/AA rules) on the page as it is now; one line per violation
    of the given impacts, naming the rule and the first offending nodes."""
    _require(AXE, "axe-core")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + " | ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                     for n in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in impacts
    ]


def vnu_errors(files: list[Path]) -> list[str]:
    """Errors of the Nu HTML checker on these files, one line each with the file name."""
    _require(VNU, "the Nu HTML checker (vnu.jar)")
    run = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json",
         *map(str, files)],
        capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or "{}").get("messages", [])
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
            for m in messages if m.get("type") == "error"]
