"""``POST /api/v1/videos``: submit a YouTube link for analysis."""
