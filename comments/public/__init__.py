"""The readers' side: the comment form and its views, the reader's session, flood control,
the client's IP and the Atom feeds. `comments.templatetags` and `comments.urls` belong here
too: they are how a site's pages pull comments in.

Layer: top, beside `comments.desk` (never importing it). May import the write path
(`comments.moderation`), `comments.thread`, `comments.spam` and the base.
"""
