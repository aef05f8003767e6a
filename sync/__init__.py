"""Sync with the township server: the protocol (shared with server/), the client engine, merge rules."""
