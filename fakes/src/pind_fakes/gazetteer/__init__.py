"""The Korean public-data gazetteer (data/gazetteer/kr in the repository) as one searchable list.

The fake geocoders and the fake Gemini both answer from it. Files are CP949 CSVs
as published on data.go.kr, except the KMA grid file (UTF-8 with BOM).
"""

from pind_fakes.gazetteer.index import Gazetteer
from pind_fakes.gazetteer.places import (
    GazetteerPlace,
    Mention,
    PlaceCategory,
    PlaceMatch,
    english_alias,
    haversine_m,
    normalise,
)

__all__ = [
    "Gazetteer",
    "GazetteerPlace",
    "Mention",
    "PlaceCategory",
    "PlaceMatch",
    "english_alias",
    "haversine_m",
    "normalise",
]
