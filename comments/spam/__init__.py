"""The spam filter, inside the site: it learns from editors' decisions, scores every new
comment, and explains itself. No commenter's data leaves the server.

- `features`: what the model reads of a comment (words, characters, links, the name).
- `model`: training and scoring (scikit-learn at training time only).
- `filter`: the filter in this process (`assess`), learning from decisions (`learn_from`, a
  listener attached to the write path's registry in `comments.apps`) and retraining.
- `importing`: labelled examples from another system's history (CSV).

Layer: below the write path, which calls `filter.assess`; never imports `comments.moderation`.
Imports `comments.models` and `comments.conf`.
"""
