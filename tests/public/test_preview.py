"""Preview: the comment as it will appear, through the same sanitizer, and nothing saved."""

import pytest

from comments.models import Comment
from tests.factories import post_url

pytestmark = pytest.mark.django_db


def test_preview_shows_the_sanitized_comment_keeps_the_text_and_saves_nothing(
    client, article, comment_data
):
    data = comment_data | {"comment": "Look <em>here</em><script>x()</script>", "preview": "1"}
    response = client.post(post_url(article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Comment.objects.exists()
    preview = html[html.index('id="comment-preview"') :].split("</div>\n    </div>")[0]
    assert "<p>Look <em>here</em></p>" in preview
    assert "script" not in preview
    assert "Look &lt;em&gt;here&lt;/em&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>" in html
    assert 'value="Ada Reader"' in html
    assert "private" in response["Cache-Control"]


def test_an_invalid_preview_shows_the_errors_and_no_preview(client, article, comment_data):
    data = comment_data | {"email": "kay@example", "preview": "1"}
    html = client.post(post_url(article), data).content.decode()
    assert "Enter a valid email address." in html
    assert 'id="comment-preview"' not in html


def test_posting_after_a_preview_saves_once(client, article, comment_data):
    client.post(post_url(article), comment_data | {"preview": "1"})
    assert client.post(post_url(article), comment_data).status_code == 302
    assert Comment.objects.count() == 1


def test_the_form_offers_preview_after_post_comment(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index('name="submit"') < html.index('name="preview"')
