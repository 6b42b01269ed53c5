"""One module per topic; every payload is a Pydantic v2 model with no I/O."""
