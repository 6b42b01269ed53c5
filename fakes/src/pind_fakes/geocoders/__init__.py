"""Fake geocoders (port 8902) answering from the Korean public-data gazetteer
and the venue index (restaurants, cafes, lodging, landmarks) the repository carries.

- Kakao Local keyword search: GET /v2/local/search/keyword.json
  (``Authorization: KakaoAK <key>`` or 401; x = longitude, y = latitude, as
  strings; category_group_code, x/y/radius, rect, sort=accuracy|distance,
  page/size; a region word in the query is recognised as ``meta.same_name``
  and narrows the search to it). Its ranking quirk: sorted by accuracy, every
  same-name branch comes in the service's own order, not by distance.
- Kakao Local address search: GET /v2/local/search/address.json (the road and
  lot addresses of the venue index; a region alone answers its centre).
- Google Places Text Search (New): POST /v1/places:searchText
  (``X-Goog-Api-Key`` or 403; ``X-Goog-FieldMask`` or 400; the mask is
  applied; locationBias biases, locationRestriction restricts; pageSize and
  nextPageToken, 60 results at most). A name answers its branches nationwide,
  the biased-to ones first.
- Nominatim: GET /search?q=&format=jsonv2|json
  (a real User-Agent or 403; more than one request per second per client: 429)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web

from pind_fakes.gazetteer import Gazetteer
from pind_fakes.geocoders.google_places import google_search_text
from pind_fakes.geocoders.kakao import kakao_keyword
from pind_fakes.geocoders.kakao_address import kakao_address_search
from pind_fakes.geocoders.nominatim import nominatim_search
from pind_fakes.geocoders.search import GAZETTEER, NOMINATIM_LIMITER, VENUES, RateLimiter
from pind_fakes.serving import new_app
from pind_fakes.settings import FakesSettings
from pind_fakes.venues import VenueDirectory

__all__ = ["create_app"]


def create_app(
    settings: FakesSettings, clock: Callable[[], float] = time.monotonic
) -> web.Application:
    app = new_app()
    app[GAZETTEER] = Gazetteer.load(settings.gazetteer_dir)
    app[VENUES] = VenueDirectory.load(settings.venues_dir)
    app[NOMINATIM_LIMITER] = RateLimiter(settings.nominatim_min_interval_s, clock)
    app.router.add_get("/v2/local/search/keyword.json", kakao_keyword)
    app.router.add_get("/v2/local/search/address.json", kakao_address_search)
    app.router.add_post("/v1/places:searchText", google_search_text)
    app.router.add_get("/search", nominatim_search)
    app.router.add_get("/search.php", nominatim_search)
    return app
