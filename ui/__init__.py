"""The Qt (PySide6) front end: thin widgets over app/ repositories and services."""
