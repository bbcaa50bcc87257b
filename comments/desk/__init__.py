"""The editors' desk: the admin (comments, Discussion settings, blocks, the spam filter's
page), the moderation queue, email alerts to editors and the admin's estimated counts.

Layer: top, beside `comments.public` (never importing it). May import the write path
(`comments.moderation`), `comments.thread`, `comments.spam` and the base. `alerts` is a
listener on the write path's registry, attached in `comments.apps`.
"""
