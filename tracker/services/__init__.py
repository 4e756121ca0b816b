"""The service layer: every rule lives here, and the API, web views, CLI and scheduler call it.

Services take the actor, the clock and settings as arguments, flush but never commit: the caller owns the
transaction, so a change and its audit event land together or not at all.
"""
