"""Where Django's admin autodiscovery looks: the registrations live in comments.desk.admin."""

from .desk import admin  # noqa: F401 (registers the comments app's admin pages)
