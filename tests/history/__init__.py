"""Tests of comments.history: the readers of WordPress, Disqus and CSV exports (no database)."""
