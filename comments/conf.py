"""The comments app's settings: every `COMMENTS_*` setting, with its default.

A project that installs the app may set none of them; one it sets in its settings module wins
(the demo site's `newsite/settings.py` reads each from the environment). Read through
`comments.conf.settings`, which falls back to Django's settings for everything else, so
`override_settings` in tests and a project's own values both apply at once. docs/settings.md
says what each one does.

Base layer: imports nothing from the app.
"""

from django.conf import settings as django_settings

DEFAULTS = {
    # What may be discussed: {"app_label.Model": {"public": manager method giving what
    # readers may see, "published_at": the date "close after days" counts from, optionally
    # "updated_at": a time every change of the object moves (its page is then cached whole,
    # comments.thread.pages), and "template": the object's page, for a form shown again}}
    # (comments.models.discussion). Pages by URL need no entry.
    "COMMENTS_MODELS": {
        "articles.Article": {
            "public": "published",
            "published_at": "published_at",
            "updated_at": "updated_at",
        },
    },
    # The project's base template, which the app's own pages (editing one's comment, a page
    # discussion) extend, filling its blocks title, head and content.
    "COMMENTS_BASE_TEMPLATE": "base.html",
    # The site's name, in feed titles and editors' alerts.
    "COMMENTS_SITE_NAME": "The Meridian",
    # The site's address as editors reach it, for the links in alerts.
    "COMMENTS_SITE_URL": "http://127.0.0.1:8000",
    # The moderation policy (editors may override the first four live: Discussion settings).
    "COMMENTS_HOLD_ALL": False,
    "COMMENTS_FLOOD_SECONDS": 15,
    "COMMENTS_MAX_LINKS": 2,
    "COMMENTS_CLOSE_AFTER_DAYS": 0,
    # The form's signed token: sooner than this is a bot; older than that has expired.
    "COMMENTS_MIN_SECONDS": 3,
    "COMMENTS_FORM_MAX_AGE": 24 * 60 * 60,
    # Threads.
    "COMMENTS_THREAD_DEPTH": 5,
    "COMMENTS_PER_PAGE": 50,
    "COMMENTS_EDIT_MINUTES": 10,
    # The order of a thread's top-level comments unless the reader picks one (?csort=):
    # "oldest" first, "newest" first, or "best" (most recommended); replies stay in order.
    "COMMENTS_THREAD_ORDER": "oldest",
    # Readers' reports: this many distinct readers reporting an approved comment put it back
    # in the queue (twice as many once an editor approved it after reports; 0: never).
    "COMMENTS_REPORTS_TO_HOLD": 3,
    # Reply notifications (comments.notify): at most one email per discussion per subscriber
    # every this many minutes (later comments are gathered into it), and how long the
    # confirmation link mailed to a new subscriber works.
    "COMMENTS_NOTIFY_MINUTES": 30,
    "COMMENTS_NOTIFY_CONFIRM_DAYS": 7,
    # Whole pages (comments.thread.pages): how much of the pages served last each process
    # keeps in its own memory, beside the cache (0: none).
    "COMMENTS_PAGE_MEMORY_MB": 32,
    # The spam filter.
    "COMMENTS_FILTER_RETRAIN_EVERY": 25,
    "COMMENTS_FILTER_MIN_HAM": 300,
    "COMMENTS_FILTER_MIN_SPAM": 100,
    "COMMENTS_FILTER_MAX_FALSE_SPAM": 0.01,
    # Editors' alerts (0: none).
    "COMMENTS_ALERT_MINUTES": 10,
    # The API and the embed (comments.api): the other sites (scheme://host[:port]) whose
    # pages may embed the thread and call the API from a browser; none by default.
    "COMMENTS_EMBED_ORIGINS": (),
    # Readers' privacy and their address.
    "COMMENTS_IP_RETENTION_DAYS": 60,
    "COMMENTS_TRUSTED_PROXIES": (),
}


class CommentsSettings:
    """`settings.COMMENTS_PER_PAGE` and the like: the project's value if it set one, else
    the app's default. Any other name is Django's setting of that name."""

    def __getattr__(self, name):
        if name in DEFAULTS:
            return getattr(django_settings, name, DEFAULTS[name])
        return getattr(django_settings, name)


settings = CommentsSettings()
