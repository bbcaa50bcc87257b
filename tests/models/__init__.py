"""Tests of comments.models: the tables and their indexes."""
