"""What every feature shares: the request's dependencies, typed errors, the
tables, response shapes used by more than one feature, the in-process watch
and answer cache, and SQL helpers. Imports no feature folder."""
