"""Search: user queries and filters over the index → plain result data (no HTML pages)."""
