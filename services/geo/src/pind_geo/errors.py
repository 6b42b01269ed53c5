"""Typed errors of the geo service."""

from __future__ import annotations


class GeoError(Exception):
    """Base of the geo service's errors."""


class GazetteerMissingError(GeoError):
    """The offline gazetteer files are not where the settings say."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"offline gazetteer not found at {path}: {detail}. Set PIND_GAZETTEER_DIR to the "
            "folder holding the Korean public place lists (the repository carries them in "
            "data/gazetteer/kr; see SOURCES.md there)."
        )
        self.path = path


class GazetteerFormatError(GeoError):
    """A gazetteer file lacks a column we need (the publisher changed the format)."""


class GeocoderError(GeoError):
    """An online geocoder failed (network, timeout, quota, an answer we cannot read)."""

    def __init__(self, geocoder: str, detail: str, *, retryable: bool = True) -> None:
        super().__init__(f"{geocoder}: {detail}")
        self.geocoder = geocoder
        self.retryable = retryable


class LanguageModelError(GeoError):
    """The language model gave no usable answer (quota, timeout, malformed JSON)."""


class VenueIndexMissingError(GeoError):
    """The offline venue index is not where the settings say."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"offline venue index not found at {path}: {detail}. Set PIND_VENUES_DIR to the "
            "folder holding it (the repository carries it in data/poi/kr; see SOURCES.md "
            "there for the command that rebuilds it)."
        )
        self.path = path


class VenueIndexFormatError(GeoError):
    """A venue index file is not in the format the builder writes."""
