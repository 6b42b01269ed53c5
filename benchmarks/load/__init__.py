"""``make load``: pind end to end under concurrent guests and signed-in users,
against the same fake work through the architecture the first pind used (a
Celery chain on Redis), in the same run on the same machine.

pind runs as processes of its own (:mod:`benchmarks.load.stack`) in a topic
namespace (``load.<run>.``) and database (``pind_load_<run>``) of the run,
so a running ``make up`` stack is never fed. The outside world is the fakes
with no added latency and each video is tiny (:mod:`benchmarks.load.videos`),
so what is measured is the pipeline's own overhead. Printed: jobs/s end to
end, p50/p99 submit→succeeded, CPU seconds and peak RSS of each process tree,
consumer lag per group over time, and the pind/Celery throughput ratio.
"""
