"""Territories: the geographic backbone of the portal.

One table for every scale (region, département, EPCI, commune, custom area, place abroad), as
aides-territoires does with `Perimeter`: a single `Territory` with its *full ancestor closure*
stored in `ancestors` (a commune knows its EPCI, its département(s) and its region; an EPCI
that straddles two départements has both). "What covers commune X" and "what lies inside
département D" are then one indexed join, never a walk up or down a tree.

`maps` knows nothing of pages or projects: callers pass territories in, and get geometry,
containment and maps out.
"""

import functools
import unicodedata
from difflib import SequenceMatcher

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


def home_region_code() -> str:
    """The INSEE code of the region this portal serves (setting PORTAL_HOME_REGION), read at
    call time so that one setting drives every regional count, map and resolver."""
    return settings.PORTAL_HOME_REGION


ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
#: Ligatures that Unicode does not decompose: folded like accents ("Cœur" → "coeur").
LIGATURES = str.maketrans({"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae"})

#: Fuzzy matching of place names ("denin" → Denain): the trigram word similarity a name
#: needs to be a candidate (PostgreSQL's default, 0.6, misses "denin" for "denain 59172":
#: 0.5), how many candidates are ranked, and how close a candidate's name must then be.
TRIGRAM_WORD_THRESHOLD = 0.45
MAX_FUZZY_CANDIDATES = 40
MIN_CLOSENESS = 0.7


@functools.lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """Lowercase, accent-free, punctuation-free form of a place name, with the usual
    abbreviations folded ("St-Amand" and "Saint-Amand" both give "saint amand"), so that
    professionals can type a commune the way they write it. Remembered: the listing sorts
    the same vocabulary labels by it at every request."""
    text = unicodedata.normalize("NFKD", name.translate(LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(ABBREVIATIONS.get(w, w) for w in text.split())


class Scale(models.TextChoices):
    REGION = "region", _("Region")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("EPCI")
    COMMUNE = "commune", _("Commune")
    CUSTOM = "custom", _("Custom area")
    FOREIGN = "foreign", _("Place abroad")


#: Order used to show the broadest level last ("local projects first").
SCALE_RANK = {
    Scale.COMMUNE: 0,
    Scale.CUSTOM: 1,
    Scale.EPCI: 2,
    Scale.DEPARTEMENT: 3,
    Scale.REGION: 4,
    Scale.FOREIGN: 5,
}


class TerritoryQuerySet(models.QuerySet):
    def communes(self):
        return self.filter(scale=Scale.COMMUNE)

    def active(self):
        return self.filter(is_obsolete=False)

    def matching(self, text: str):
        """Territories whose name or code matches what a person typed, accent- and
        abbreviation-insensitive ("st amand", "roeulx", "59491", "porte du hainaut")."""
        text = (text or "").strip()
        if not text:
            return self.none()
        if text.isdigit() or text.upper() in {"2A", "2B"}:
            return self.filter(code__startswith=text.upper())
        words = normalize_name(text).split()
        qs = self
        for word in words:
            qs = qs.filter(search_name__contains=word)
        return qs

    def similar(self, text: str, limit: int = 5) -> list:
        """The territories whose name looks like what a person typed, closest first, each
        with its `closeness` (0–1): "denin" → Denain, "armantieres" → Armentières. For the
        "did you mean" of a name that matches nothing, so never for codes.

        PostgreSQL: candidates from the GIN trigram index on `search_name` (the `%>` word
        similarity operator, with its threshold lowered for this statement only), ranked by
        trigram similarity. SQLite has no trigram index: candidates share three letters in a
        row with a word typed (its test tables are small). Either way the candidates are
        then ranked in Python by how close their whole normalised name is."""
        typed = normalize_name(text or "")
        if len(typed.replace(" ", "")) < 3 or typed.replace(" ", "").isdigit():
            return []
        if connection.vendor == "postgresql":
            from django.contrib.postgres.lookups import TrigramWordSimilar
            from django.contrib.postgres.search import TrigramSimilarity

            queryset = self.filter(TrigramWordSimilar(models.F("search_name"),
                                                      models.Value(typed)))
            queryset = queryset.annotate(trigram=TrigramSimilarity("search_name", typed))
            queryset = queryset.order_by("-trigram", "-population")
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s",
                                   [TRIGRAM_WORD_THRESHOLD])
                candidates = list(queryset[:MAX_FUZZY_CANDIDATES])
        else:
            condition = models.Q()
            for trigram in {w[i:i + 3] for w in typed.split() for i in range(len(w) - 2)}:
                condition |= models.Q(search_name__contains=trigram)
            candidates = list(self.filter(condition).order_by("-population")[
                :MAX_FUZZY_CANDIDATES * 5])
        for candidate in candidates:
            candidate.closeness = SequenceMatcher(
                None, typed, normalize_name(candidate.name)).ratio()
        close = [c for c in candidates if c.closeness >= MIN_CLOSENESS]
        close.sort(key=lambda c: (-c.closeness, -(c.population or 0)))
        return close[:limit]


class Territory(index.Indexed, models.Model):
    """A commune, EPCI, département, region, custom area or place abroad.

    `code` is the official code (INSEE for communes, départements and regions; SIREN for
    EPCI), a slug for custom areas and places abroad. Geometry is simplified GeoJSON computed
    at import (never per request), with its centroid and bounding box for zooming and
    point markers.
    """

    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices, db_index=True)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(_("search name"), max_length=250, db_index=True, editable=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=80, default="France")
    parents = models.ManyToManyField(
        "self", symmetrical=False, related_name="children", blank=True,
        verbose_name=_("direct parents"),
    )
    ancestors = models.ManyToManyField(
        "self", symmetrical=False, related_name="descendants", blank=True,
        verbose_name=_("all enclosing territories"),
    )
    geometry = models.JSONField(_("simplified geometry (GeoJSON)"), null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    bbox = models.JSONField(_("bounding box"), null=True, blank=True)
    is_obsolete = models.BooleanField(_("obsolete"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = TerritoryQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("search_name"),
        index.AutocompleteField("code"),
        index.FilterField("scale"),
    ]

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["scale", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="territory_unique_scale_code")
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self):
        if self.scale == Scale.COMMUNE:
            return f"{self.name} ({self.code})"
        if self.scale == Scale.FOREIGN:
            return f"{self.name} ({self.country})"
        return f"{self.name} — {self.get_scale_display()}"

    def save(self, *args, **kwargs):
        self.refresh_search_name()
        super().save(*args, **kwargs)

    def refresh_search_name(self) -> None:
        """Kept in sync here because bulk imports bypass save()."""
        self.search_name = normalize_name(f"{self.name} {self.code}")

    normalize = staticmethod(normalize_name)

    @property
    def rank(self) -> int:
        return SCALE_RANK[self.scale]

    @property
    def has_point(self) -> bool:
        return self.centroid_lon is not None and self.centroid_lat is not None

    def containment_ids(self) -> models.QuerySet:
        """Ids of this territory, its ancestors and its descendants: what a filter on this
        territory must match (a département filter also shows what covers its communes and
        EPCIs, and the regional projects that cover it)."""
        return Territory.objects.filter(
            models.Q(pk=self.pk) | models.Q(descendants=self) | models.Q(ancestors=self)
        ).values("pk")


#: The data version every cached page, map and table of the whole catalogue keys on: bumped
#: by every change, whatever its scope.
CATALOGUE = "catalogue"
#: The data version of the territories alone (their names, shapes and closure): bumped by
#: `bump_all` only, which every territory import calls.
TERRITORIES = "territories"


def programme_scope(slug: str) -> str:
    """The data version of one programme's projects (`programme:faad`): what its programme
    page, its monitoring pages and the maps of its projects key on."""
    return f"programme:{slug}"


class DataVersion(models.Model):
    """Counters bumped on every publish and import: part of every cache key of a map, a table
    or a page, so that nothing cached is older than the data it shows, on any app server.

    Why several: a publish changes one programme's projects. `catalogue` is bumped by every
    change (what shows every programme keys on it); `programme:<slug>` by the changes of that
    programme's projects and by every change not scoped to a programme (territories, an
    erasure, a page other than a project). A FAAD publish therefore leaves the cached pages
    and maps of « 1000 premiers jours » as they are."""

    name = models.CharField(max_length=300, unique=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return f"{self.name} v{self.version}"

    @classmethod
    def current(cls, name: str = CATALOGUE) -> int:
        row = cls.objects.filter(name=name).values_list("version", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls, *scopes: str) -> None:
        """One change to the data of `scopes` (`programme_scope(slug)`): those and the
        catalogue's version move on, in one UPDATE once the rows exist."""
        names = {CATALOGUE, *scopes}
        cls.objects.bulk_create([cls(name=name) for name in sorted(names)],
                                ignore_conflicts=True)
        cls.objects.filter(name__in=names).update(version=models.F("version") + 1)

    @classmethod
    def bump_all(cls) -> None:
        """A change that every scope shows (territories, a page other than a project's, an
        erasure of personal details): every version moves on."""
        cls.objects.bulk_create([cls(name=CATALOGUE), cls(name=TERRITORIES)],
                                ignore_conflicts=True)
        cls.objects.update(version=models.F("version") + 1)

    @classmethod
    def scoped(cls, programme: str | None = None) -> str:
        """The version, named, that a cached answer about `programme`'s projects keys on
        (`programme:faad=12`), in one query; the catalogue's (`catalogue=345`) for
        everything else, and for a slug that has no version (not a programme, or one never
        changed since it was created): an unknown value may be ignored by the filters and
        the answer show every programme. Named, so that the two never share a key."""
        names = [CATALOGUE] if not programme else [CATALOGUE, programme_scope(programme)]
        found = dict(cls.objects.filter(name__in=names).values_list("name", "version"))
        name = names[-1] if names[-1] in found else CATALOGUE
        return f"{name}={found.get(name, 0)}"

    @classmethod
    def for_params(cls, params) -> str:
        """`scoped` for GET parameters: one programme's when they select exactly one
        (`programme=faad`), else the catalogue's."""
        chosen = params.get("programme") if params else None
        if isinstance(chosen, list | tuple):
            chosen = chosen[0] if len(chosen) == 1 else None
        return cls.scoped(chosen if isinstance(chosen, str) else None)
