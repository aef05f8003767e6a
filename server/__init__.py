"""The reference township sync server: protocol endpoints, authorisation per grid, the change log, admin commands.

It shares only ``sync.protocol`` with the laptops (and reads the record kinds and field labels from
``app.models``); its own tables live in ``server.store``.
"""
