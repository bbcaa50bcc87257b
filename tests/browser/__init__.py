"""End-to-end tests in a real Chromium (Playwright against the live server)."""
