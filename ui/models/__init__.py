"""Qt item models over app/ repositories."""
