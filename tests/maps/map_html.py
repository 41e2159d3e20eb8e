"""Reading a map document as a person would see it: what it frames, what it draws, what its
legend says (shared by the builder tests and the real-seed map tests)."""

from __future__ import annotations

import json
import math
import re


def fitted_bounds(html: str):
    """The [[south, west], [north, east]] the document frames (Leaflet's fitBounds)."""
    match = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", html, re.S)
    return json.loads(match.group(1)) if match else None


def shared_collections(html: str) -> list[dict]:
    """The FeatureCollections embedded by SharedFeatures elements, in drawing order."""
    return [json.loads(m) for m in re.findall(r"var shared_features_\w+ = (\{.*?\});\n", html)]


def legend_of(html: str) -> str:
    """The legend's HTML (folium writes it as a JSON string)."""
    return json.loads(re.search(r'innerHTML = ("(?:[^"\\]|\\.)*")', html).group(1))


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, enough to say "within 50 km"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))
