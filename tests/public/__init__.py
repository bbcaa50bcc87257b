"""Tests of comments.public: the readers' side (form, views, feeds, session, network)."""
