"""The gateway's benchmark (``python -m benchmarks.gateway``; see its
``__main__`` for what it measures): ``wrk`` runs (:mod:`.wrk`), job-status
GETs (:mod:`.status`, :mod:`.paced`), submissions (:mod:`.submissions`), the
projection's rate (:mod:`.projection`) and token verification (:mod:`.tokens`)."""
