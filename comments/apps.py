from django.apps import AppConfig
from django.core.signals import setting_changed


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        """Attach what hangs on the write path's registry, here and nowhere else, in the
        order each listener is told of a committed change:

        1. the cached thread forgets the pages the change touched (readers see it at once);
        2. the spam filter learns from an editor's decision (and may start retraining);
        3. editors are alerted to held comments, last: it may wait on the mail server.

        Each runs on its own (comments.moderation.registry): one that fails is logged and
        the others still run.
        """
        from . import checks  # noqa: F401 (registers the deploy check)
        from .desk import alerts
        from .moderation import registry
        from .spam import filter as spam_filter
        from .thread import cache as thread_cache

        registry.on_change(thread_cache.forget_threads)
        registry.on_change(spam_filter.learn_from)
        registry.on_change(alerts.alert_editors)

        # Whole pages are keyed on the settings they were made with, read once per process;
        # a test that overrides one must be heard (production settings never change).
        setting_changed.connect(pages_settings_changed)


def pages_settings_changed(*, setting, **kwargs):
    from .thread import pages

    pages.forget_stamp()
