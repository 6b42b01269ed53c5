"""Auth's adapters to the outside world (SMTP), one module per outside system."""
