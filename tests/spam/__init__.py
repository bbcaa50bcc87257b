"""Tests of comments.spam: the spam filter and its model."""
