from django.apps import AppConfig
from django.core.signals import request_finished, request_started, setting_changed
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = _("Comments")

    def ready(self):
        """Attach what hangs on the write path's registry, here and nowhere else, in the
        order each listener is told of a committed change:

        1. the cached thread forgets the pages the change touched (readers see it at once,
           the next request included);
        2. the spam filter learns from an editor's decision (and may start retraining),
           after the response has been sent;
        3. editors are alerted to held comments, after the response: it may wait on
           the mail server, and the reader who posted does not;
        4. readers subscribed to a discussion have their notifications queued for comments
           just approved (comments.notify), last, after the response.

        Each runs on its own (comments.moderation.registry): one that fails is logged and
        the others still run.
        """
        from . import checks  # noqa: F401 (registers the deploy check)
        from .desk import alerts
        from .moderation import registry
        from .notify import listeners as notify_listeners
        from .spam import filter as spam_filter
        from .thread import cache as thread_cache

        registry.on_change(thread_cache.forget_threads)
        registry.on_change(spam_filter.learn_from, after_response=True)
        registry.on_change(alerts.alert_editors, after_response=True)
        registry.on_change(notify_listeners.notify_subscribers, after_response=True)
        # After-response listeners run once the server has sent the response.
        request_started.connect(registry.begin_request)
        request_finished.connect(registry.end_request)

        # Whole pages are keyed on the settings they were made with, read once per process;
        # a test that overrides one must be heard (production settings never change).
        setting_changed.connect(pages_settings_changed)


def pages_settings_changed(*, setting, **kwargs):
    from .thread import pages

    pages.forget_stamp()
