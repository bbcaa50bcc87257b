"""The commenter's IP: REMOTE_ADDR, unless a trusted proxy forwarded the request."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from comments.models import Comment
from comments.public.network import client_ip
from tests.factories import form_token, post_url
from tests.test_settings import run_with_settings


def request(remote_addr, forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_remote_addr_by_default(settings):
    settings.COMMENTS_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.COMMENTS_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_forwarded_for_is_ignored_from_an_untrusted_peer(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_last_forwarded_address(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.5", "198.51.100.1")) == "198.51.100.1"


def test_spoofed_addresses_left_of_the_real_client_are_ignored(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/8", "172.16.0.0/12"]
    forwarded = "1.2.3.4, 198.51.100.1, 172.16.3.4"  # client wrote 1.2.3.4 itself
    assert client_ip(request("10.0.0.5", forwarded)) == "198.51.100.1"


def test_all_hops_trusted_falls_back_to_the_first_proxy_seen(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.5", "10.1.1.1, 10.2.2.2")) == "10.0.0.5"


def test_malformed_forwarded_header_is_not_believed(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.5", "<script>, not-an-ip")) == "10.0.0.5"
    assert client_ip(request("10.0.0.5", "")) == "10.0.0.5"


def test_ipv6_proxies_and_clients(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["2001:db8:ffff::/48", "127.0.0.1/32"]
    forwarded = "2001:db8:1::9, 2001:db8:ffff::2"
    assert client_ip(request("2001:db8:ffff::1", forwarded)) == "2001:db8:1::9"
    assert client_ip(request("::1", "198.51.100.1")) == "::1"


def test_ipv4_mapped_addresses_are_read_as_ipv4(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("::ffff:10.0.0.5", "198.51.100.1")) == "198.51.100.1"
    assert client_ip(request("::ffff:203.0.113.7")) == "203.0.113.7"


def test_a_bad_cidr_is_a_clear_configuration_error(settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="COMMENTS_TRUSTED_PROXIES"):
        client_ip(request("10.0.0.5"))


def test_missing_remote_addr_is_none(settings):
    settings.COMMENTS_TRUSTED_PROXIES = []
    assert client_ip(request("")) is None


@pytest.mark.django_db
def test_a_posted_comment_stores_the_client_behind_the_proxy(client, article, settings):
    settings.COMMENTS_TRUSTED_PROXIES = ["127.0.0.0/8"]
    client.post(
        post_url(article),
        {
            "name": "Ada",
            "email": "ada@example.com",
            "comment": "Through the proxy.",
            "token": form_token(article),
        },
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert Comment.objects.get().ip_address == "192.0.2.44"


def test_trusted_proxies_come_from_the_environment():
    result = run_with_settings(
        "from django.conf import settings; print(settings.COMMENTS_TRUSTED_PROXIES)",
        check=True,
        SECRET_KEY="k" * 50,
        COMMENTS_TRUSTED_PROXIES="10.0.0.0/8, 2001:db8::/32",
    )
    assert result.stdout.strip() == "['10.0.0.0/8', '2001:db8::/32']"


def test_no_trusted_proxies_by_default():
    result = run_with_settings(
        "from django.conf import settings; print(settings.COMMENTS_TRUSTED_PROXIES)",
        check=True,
        SECRET_KEY="k" * 50,
    )
    assert result.stdout.strip() == "[]"
