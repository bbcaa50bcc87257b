import pytest

from . import factories


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests don't run collectstatic, so serve static files without the manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def default_moderation_policy(settings):
    """Every test starts from the default policy, whatever the environment says."""
    settings.COMMENTS_HOLD_ALL = False
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    settings.COMMENTS_THREAD_DEPTH = 5
    settings.COMMENTS_PER_PAGE = 50
    settings.COMMENTS_EDIT_MINUTES = 10
    settings.COMMENTS_MAX_LINKS = 2


@pytest.fixture
def article(db):
    return factories.make_article()


@pytest.fixture
def editor(db):
    return factories.make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def comment_data():
    """A valid POST for the comment form."""
    return {
        "name": "Ada Reader",
        "email": "ada.reader@example.com",
        "url": "https://example.org/ada",
        "comment": "I was at the talks. <em>Nobody</em> expected this.",
    }
