"""pind on the command line: submit a YouTube vlog to pind's public HTTP API,
follow the analysis live, print its places or write their export."""
