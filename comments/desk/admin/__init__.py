"""The comments app's admin, one module per subject: `comment` (the list, a comment's page,
the actions), `discussion` (open or close what is discussed), `policy` (Discussion settings,
blocks), `spam` (the spam filter's page and its examples), `api_token` (staff API tokens).
Importing the package registers them all (comments/admin.py does, for Django's
autodiscovery)."""

from . import (  # noqa: F401 (each registers its ModelAdmins)
    api_token,
    comment,
    discussion,
    policy,
    spam,
)
