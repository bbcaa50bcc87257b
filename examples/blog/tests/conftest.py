import pytest
from blogtest import make_editor, make_event, make_post
from django.core.cache import cache


@pytest.fixture(autouse=True)
def comment_settings(settings):
    """Readers in tests type instantly and post several comments from one address."""
    settings.COMMENTS_MIN_SECONDS = 0
    settings.COMMENTS_FLOOD_SECONDS = 0


@pytest.fixture(autouse=True)
def empty_cache():
    """The comments app caches threads and counters; the cache outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def post(db):
    return make_post()


@pytest.fixture
def event(db):
    return make_event()


@pytest.fixture(params=["post", "event"])
def discussed(request):
    """Each discussed model in turn: a live post, then a public live event."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def editor(db):
    return make_editor()
