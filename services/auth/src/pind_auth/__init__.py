"""pind auth service: accounts, EdDSA access tokens, rotating refresh tokens, resets."""
