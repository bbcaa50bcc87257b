"""Tests of the bench app's management commands."""
