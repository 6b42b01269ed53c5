"""Pure logic of ingest: which videos are analysed and why not, and the
metadata event built from an info dict. No I/O, no frameworks."""
