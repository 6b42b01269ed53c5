"""Submission rate limits, counted in PostgreSQL for every instance."""
