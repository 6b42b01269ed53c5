"""The first backend's endpoints, kept for the web client and the extension."""
