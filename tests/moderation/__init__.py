"""Tests of comments.moderation: the write path (decisions, rules, blocks, word lists, privacy)."""
