"""``GET /api/v1/jobs/{job_id}``: a job's state, stages and places."""
