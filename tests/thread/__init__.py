"""Tests of comments.thread: the cached thread, its rendering, splicing and queries."""
