"""An example of a downstream team's consumer of pind's events: it reads
``pind.places.extracted.v1`` and ``pind.job.stage.v1`` in a consumer group of
its own, validates every payload with the published JSON Schemas, keeps
places, videos and stage durations in DuckDB, and answers three questions
(``python -m pind_analytics report``). It depends on no pind package."""
