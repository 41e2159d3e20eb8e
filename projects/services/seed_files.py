"""Reading the seed YAML files (fixtures/seeds/) with line numbers, so that every error can
name the file, the line and the field that is wrong."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"


class LineDict(dict):
    """A mapping that remembers the line where it starts in its YAML file."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)


@dataclass
class SeedFile:
    name: str
    data: dict


@dataclass
class Problems:
    """Collects every error of a validation pass, phrased for staff."""

    errors: list[str] = field(default_factory=list)

    def add(self, file: SeedFile | str, record, field_name: str, message: str) -> None:
        name = file.name if isinstance(file, SeedFile) else file
        line = getattr(record, "line", 0)
        where = f"{name}, ligne {line}" if line else name
        self.errors.append(f"{where}, champ « {field_name} » : {message}")


def read_seed_files(directory: Path = SEED_DIR) -> tuple[list[SeedFile], list[str]]:
    """common.yaml first, then the per-document files in name order."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.yaml"), key=lambda p: (p.name != "common.yaml", p.name))
    files, errors = [], []
    for path in paths:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
        except yaml.YAMLError as exc:
            errors.append(f"{path.name} : YAML invalide ({exc})")
            continue
        if not isinstance(data, dict):
            errors.append(f"{path.name} : le fichier doit contenir un dictionnaire YAML")
            continue
        files.append(SeedFile(path.name, data))
    if not files and not errors:
        errors.append(f"{directory} : aucun fichier de données (*.yaml)")
    return files, errors


def as_decimal(value, problems: Problems, file, record, field_name) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        problems.add(file, record, field_name, f"nombre attendu, reçu « {value} »")
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        problems.add(file, record, field_name, f"nombre attendu, reçu « {value} »")
        return None


def as_date(value, problems: Problems, file, record, field_name) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.add(file, record, field_name, f"date AAAA-MM-JJ attendue, reçu « {value} »")
        return None


def as_time(value, problems: Problems, file, record, field_name) -> datetime.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):  # YAML 1.1 reads 14:00 as sexagesimal 840
        return datetime.time(value // 60, value % 60)
    try:
        return datetime.time.fromisoformat(str(value).replace("h", ":"))
    except ValueError:
        problems.add(file, record, field_name, f"heure HH:MM attendue, reçu « {value} »")
        return None


def text(value) -> str:
    return "" if value is None else str(value).strip()
