"""Reading the seed YAML files (fixtures/seeds/) safely: UTF-8 only, whole files only (a file
cut short is refused), no duplicated key, the shape of `seed_schema`, and a line number on
every record and key, so that every error names the file, the line and the field."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from maps.services.validation import Problems, read_text
from projects.services.seed_schema import SeedDocument, schema_problems

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"


class LineDict(dict):
    """A mapping that remembers the line where it starts in its YAML file, and the line of
    each of its keys."""

    line: int = 0
    key_lines: dict


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key, line: int, first_line: int):
        self.key, self.line, self.first_line = key, line, first_line
        super().__init__(f"duplicate key {key!r}")


#: libyaml's parser when installed (ten times faster), with our own mapping constructor.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in mapping:
                raise DuplicateKey(key, line, mapping.key_lines.get(key, mapping.line))
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[key] = line
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)


@dataclass
class SeedFile:
    name: str
    data: dict
    document: SeedDocument | None = None


def parse_yaml(name: str, content: str, problems: Problems):
    """YAML text → data with lines; syntax errors and duplicated keys are recorded."""
    try:
        return yaml.load(content, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except DuplicateKey as exc:
        problems.add(name, exc.line, str(exc.key), _(
            "key given twice in the same record (first on line %(first)s)") % {
            "first": exc.first_line})
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        problems.add(name, mark.line + 1 if mark else None, "",
                     _("invalid YAML (%(reason)s)") % {"reason": reason})
    return None


def read_seed_files(directory: Path = SEED_DIR) -> tuple[list[SeedFile], Problems]:
    """common.yaml first, then the per-document files in name order; every file is read and
    checked before the caller looks at any, so that one pass reports every problem."""
    directory = Path(directory)
    problems = Problems()
    paths = sorted(directory.glob("*.yaml"), key=lambda p: (p.name != "common.yaml", p.name))
    files = []
    for path in paths:
        content = read_text(path, problems)
        if content is None:
            continue
        data = parse_yaml(path.name, content, problems)
        if data is None and not content.strip():
            problems.add_file(path.name, _("empty file"))
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.add_file(path.name, _("the file must hold a YAML mapping (key: value)"))
            continue
        document = schema_problems(path.name, data, problems)
        if document is not None:
            files.append(SeedFile(path.name, data, document))
    if not paths:
        problems.add_file(str(directory), _("no data file (*.yaml)"))
    return files, problems


# Values of a file whose shape was checked: conversions, never rules.
def as_decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def as_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def as_time(value) -> datetime.time | str | None:
    """840 (YAML's reading of an unquoted 14:00) → 14:00; a text is left for the model's
    TimeField to read (and to refuse "16h61" in its own words)."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return datetime.time(value // 60 % 24, value % 60)
    return str(value).strip()


def text(value) -> str:
    return "" if value is None else str(value).strip()
