"""pind-youtube: the yt-dlp glue ingest, transcript and vision share."""
