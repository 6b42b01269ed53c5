"""Auth's keys, passwords, tokens and policy (its pure and crypto code, kept here
rather than in domain/: docs/service-template.md)."""
