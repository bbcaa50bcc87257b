from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"

    def ready(self):
        # What hangs on the write path's registry (comments.moderation.on_change), all here.
        from . import alerts, checks, moderation, spamfilter, thread  # noqa: F401 (checks registers)

        moderation.on_change(thread.forget_threads)
        moderation.on_change(spamfilter.learn_from)
        moderation.on_change(alerts.alert_editors)  # last: it may wait on the mail server
