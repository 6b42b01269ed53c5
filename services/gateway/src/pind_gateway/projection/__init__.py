"""The projection: the analysis events folded into the gateway's tables, and
the one write path for an analysis' status (stages, status, timeouts, NOTIFY)."""
