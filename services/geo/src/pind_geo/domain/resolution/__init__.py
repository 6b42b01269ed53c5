"""Resolve candidates with a geocoder, then choose among places that share a
name (13 markets are called 중앙시장) by what else the video names: the
region in its title or location, and the other places it resolved.

``model`` (the geocoder port, a resolution), ``resolve`` (asking the
geocoders, then choosing), ``choice`` (one place per name by the video's
context), ``addresses`` (a name tied to the address written beside it),
``short_forms`` ('해운대' for the beach the video visits). Pure: the
geocoders are ports."""

from pind_geo.domain.resolution.choice import centre_of, choose
from pind_geo.domain.resolution.model import VENUE_CATEGORIES, Geocoder, Resolution
from pind_geo.domain.resolution.resolve import query_for, resolve
from pind_geo.domain.resolution.short_forms import attach_short_forms

__all__ = [
    "VENUE_CATEGORIES",
    "Geocoder",
    "Resolution",
    "attach_short_forms",
    "centre_of",
    "choose",
    "query_for",
    "resolve",
]
