"""The JSON API, version 1 (`/api/v1/`): a second front end on the same write path and the
same rules as the HTML form, for pages this site does not render (the embed script, other
systems). Built on django-ninja: the schema comes from the type hints, and with it the
OpenAPI document (`openapi.json`) and the docs page (`docs/`, Swagger UI from this site).

- `reads`: a discussion (by object or by URL) with its approved comments, paged and sorted
  as the HTML page pages and sorts them, from the cached thread; counts for many
  discussions at once.
- `posting`: the form token, posting (the same CommentForm, every rule), preview, and a
  poster's own comments through the poster key the client keeps (no cookie).
- `reactions`: recommending a comment (and taking it back), reporting one, and which
  comments a reader recommends, by the same poster key.
- `staff`: the moderation queue and the decisions, for staff with a token.
- `origins`: which other sites may call it from a browser (COMMENTS_EMBED_ORIGINS).
- `schemas`: what the API answers, shared by the others.

Layer: beside the readers' side (`public`, whose form and throttles it uses), above the
write path.
"""
