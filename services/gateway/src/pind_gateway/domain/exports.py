"""Places as files other tools open: GeoJSON (RFC 7946), KML 2.2 (importable
into Google My Maps), a Google Maps link per place; and the bounding box of
map queries. Pure functions over plain values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

KML_NS = "http://www.opengis.net/kml/2.2"


@dataclass(frozen=True, slots=True)
class ExportEvidence:
    source: str
    text: str
    start_s: float | None = None
    moment_url: str | None = None


@dataclass(frozen=True, slots=True)
class ExportPlace:
    name: str
    lat: float
    lon: float
    category: str
    confidence: float
    video_id: str
    name_en: str | None = None
    address: str | None = None
    video_title: str | None = None
    evidence: Sequence[ExportEvidence] = field(default_factory=tuple)

    @property
    def maps_url(self) -> str:
        return google_maps_url(self.lat, self.lon)


def google_maps_url(lat: float, lon: float) -> str:
    """A link that opens Google Maps at the coordinates (Maps URLs, api=1)."""
    return "https://www.google.com/maps/search/?" + urlencode(
        {"api": "1", "query": f"{lat:.6f},{lon:.6f}"}
    )


def to_geojson(places: Sequence[ExportPlace], *, title: str | None = None) -> dict[str, Any]:
    """A FeatureCollection of Points ([lon, lat], as RFC 7946 orders them)."""
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "name": p.name,
                    "name_en": p.name_en,
                    "category": p.category,
                    "address": p.address,
                    "confidence": p.confidence,
                    "video_id": p.video_id,
                    "video_title": p.video_title,
                    "google_maps_url": p.maps_url,
                    "evidence": [
                        {
                            "source": e.source,
                            "text": e.text,
                            "start_s": e.start_s,
                            "video_url_at": e.moment_url,
                        }
                        for e in p.evidence
                    ],
                },
            }
            for p in places
        ],
    }
    if title is not None:
        collection["name"] = title
    return collection


def _description(place: ExportPlace) -> str:
    lines = [f"{place.category} · confidence {place.confidence:.2f}"]
    if place.address:
        lines.append(place.address)
    for e in place.evidence:
        said = f"[{e.source}] {e.text}"
        lines.append(f"{said} — {e.moment_url}" if e.moment_url else said)
    lines.append(place.maps_url)
    return "\n".join(lines)


def to_kml(places: Sequence[ExportPlace], *, title: str) -> bytes:
    """A KML document with one Placemark per place (name, description with the
    evidence and links, Point ``lon,lat``), UTF-8 with an XML declaration."""
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    document = ET.SubElement(kml, f"{{{KML_NS}}}Document")
    ET.SubElement(document, f"{{{KML_NS}}}name").text = title
    for place in places:
        mark = ET.SubElement(document, f"{{{KML_NS}}}Placemark")
        ET.SubElement(mark, f"{{{KML_NS}}}name").text = place.name
        ET.SubElement(mark, f"{{{KML_NS}}}description").text = _description(place)
        extended = ET.SubElement(mark, f"{{{KML_NS}}}ExtendedData")
        for key, value in (
            ("category", place.category),
            ("confidence", f"{place.confidence:.2f}"),
            ("video_id", place.video_id),
            ("google_maps_url", place.maps_url),
        ):
            data = ET.SubElement(extended, f"{{{KML_NS}}}Data", {"name": key})
            ET.SubElement(data, f"{{{KML_NS}}}value").text = value
        point = ET.SubElement(mark, f"{{{KML_NS}}}Point")
        ET.SubElement(point, f"{{{KML_NS}}}coordinates").text = f"{place.lon},{place.lat},0"
    body: bytes = ET.tostring(kml, encoding="utf-8", xml_declaration=True)
    return body


class InvalidBox(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def parse_bbox(text: str) -> BoundingBox:
    """``minLon,minLat,maxLon,maxLat`` in degrees. ``minLon > maxLon`` is a box
    across the antimeridian; ``minLat > maxLat`` is refused."""
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidBox(f"expected 4 comma-separated numbers, got {len(parts)}")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError as exc:
        raise InvalidBox("every value must be a number") from exc
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        raise InvalidBox("every value must be finite")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InvalidBox("longitudes must lie in [-180, 180]")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidBox("latitudes must lie in [-90, 90]")
    if min_lat > max_lat:
        raise InvalidBox("minLat is greater than maxLat")
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)
