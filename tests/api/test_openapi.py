"""Schemathesis over the whole OpenAPI document, against a live server: whatever a client
sends that the document allows (and much that it does not), no answer is a server error
and every answer matches the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api_schema(live_server, settings):
    """The document as the live server serves it, over a discussion with comments (so reads
    have something to answer) and a listed embedding origin."""
    settings.COMMENTS_EMBED_ORIGINS = ["https://news.example"]
    article = make_article()
    for n in range(3):
        make_comment(article, body=f"Comment {n}")
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


def test_every_answer_keeps_to_the_document(api_schema):
    """Each operation in turn, with Hypothesis drawing its cases (schemathesis.pytest's
    lazy loader does not run under this pytest, so the loop is written out)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "no operation in the document"
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def keeps_to_the_document(case):
            case.call_and_validate(
                checks=[
                    not_a_server_error,
                    response_schema_conformance,
                    content_type_conformance,
                ]
            )

        keeps_to_the_document()


def test_the_document_is_openapi_3(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["paths"], "no operation in the document"
