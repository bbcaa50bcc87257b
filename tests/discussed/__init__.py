"""A second discussed model for the tests (a live blog), so that the comments app is tested
on more than the demo's articles. Installed by tests/settings.py only; no migrations (the
test database makes its table directly)."""
