"""The Meridian's comments: one installable Django app (label `comments`).

Feature packages, from top to bottom (tests/test_layers.py enforces the rules):

- `public` (with `templatetags` and `urls`) and `desk`: the readers' side and the editors'
  desk, which never import each other;
- `moderation`: the one write path, and the registry its listeners hang on;
- `history`, `spam` and `thread`: export files read and written, the spam filter and the
  cached thread, which never import the write path (it calls them, or `apps.py` attaches them
  to its registry);
- `models`, `sanitize`, `conf`: the base.
"""
