"""``python -m benchmarks.fuzz``: schemathesis against the gateway's and
auth's OpenAPI, anonymous and signed in, with per-operation coverage.

Starts its own auth and gateway processes (``make fuzz`` runs it with the local
stack's settings; the database must be migrated) so that the run can raise
their limits without touching a running stack:

- guest and user submission limits and auth's failure throttles raised far
  past what the run sends, so no operation is fuzzed into 429;
- topics under the ``fuzz.`` prefix (created here), so the submissions it makes
  are never analysed by a running stack;
- projection off, a one-second hold for the legacy process call.

Example data reaches past validation: the sample vlogs' video ids and URLs,
the ids of jobs submitted for them before the run, the fuzz accounts' e-mail
addresses and password, and live refresh tokens (``benchmarks.fuzz_hooks``).
Each API is fuzzed twice, anonymous and signed in (a registered fuzz account's
token, refreshed as needed). Checks: no 5xx, and every answer matches its
documented status, content type, headers and schema. Afterwards the status
codes each operation answered are printed, and how many calls reached a 2xx.
Exit status: non-zero when a schemathesis run found a failure.

Settings (``PIND_FUZZ_*``): ``QUICK=true`` a few examples per operation and no
coverage phase (``make smoke``); ``MAX_EXAMPLES``; ``SEED``.

The package: ``schemathesis_run`` (its configuration, command line and the
coverage table), ``stack`` (the run's own auth and gateway processes and its
example data) and ``__main__`` (the run).
"""

from benchmarks.fuzz.schemathesis_run import account_email

__all__ = ["account_email"]
