"""Tests of the articles app."""
