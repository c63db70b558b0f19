"""Sign-in: password and PIN hashes, tokens, sessions, rate limits and roles."""
