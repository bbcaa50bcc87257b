"""The pages a subscriber reaches from a message, without signing in: the signed link is the
only authority (comments.notify.tokens).

- confirm: GET shows one "Confirm" button, which POSTs: mail scanners and link previews
  fetch GET links, and must not confirm anything.
- unsubscribe: GET shows one button; POST ends the subscriptions. The POST is exempt from
  CSRF, and only it does anything: a mail client's one-click unsubscribe (RFC 8058's
  `List-Unsubscribe-Post`) POSTs from outside any page of ours, without a cookie or token,
  and the signed link, which only the message's recipient has, is what authorises it.
  Forging such a POST needs the link; with it, one could end the subscription anyway.
- request: an address asks for a link to its subscriptions' page; the answer is the same
  whether or not it has any (nothing tells a visitor what an address subscribed to).
- manage: the linked page lists the address's subscriptions, each with a button to end it,
  and one to end them all.

A link expired or tampered with gets a page that says so (400), one whose subscriptions are
gone a 404 that says so; never a 500. Every page is the visitor's own: never cached
(never_cache), marked personal for the site's cache middleware, and its address (which
holds the token) not sent on as a referrer.
"""

from functools import wraps

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..conf import settings
from ..models import EMAIL_MAX_LENGTH
from . import subscriptions, tokens
from .subscriptions import Scope


def private_page(view):
    """Never stored by any cache, shared or not (never_cache), marked personal as the app's
    own views mark theirs (request.is_personal, read by a site's private-cache middleware),
    and their address (which holds a token) never sent to another site as a referrer:
    "same-origin", not "no-referrer", which makes browsers post these pages' forms with
    `Origin: null`, refused by Django's CSRF check."""

    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.is_personal = True
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def page(request, template, context=None, status=200):
    context = {
        "base_template": settings.COMMENTS_BASE_TEMPLATE,
        "site_name": settings.COMMENTS_SITE_NAME,
        "confirm_days": settings.COMMENTS_NOTIFY_CONFIRM_DAYS,
        **(context or {}),
    }
    return render(request, f"comments/notify/{template}", context, status=status)


REFUSALS = {
    # why: (status, title, what the visitor can do), in the language of each page (lazy)
    "expired": (
        400,
        _("This confirmation link has expired"),
        _(
            "Confirmation links work for a limited time. Nothing will be sent to your address. "
            "To subscribe, tick the email box again the next time you comment."
        ),
    ),
    "expired-manage": (
        400,
        _("This link has expired"),
        _("Links to your subscriptions work for a day. Ask for a new one below."),
    ),
    "invalid": (
        400,
        _("This link does not work"),
        _(
            "It may have been cut short or changed on its way. Copy the whole link from the "
            "message and try again, or ask for a link to your subscriptions."
        ),
    ),
    "gone": (
        404,
        _("There is nothing to confirm"),
        _(
            "This subscription was ended, or forgotten because it was not confirmed in time. "
            "To subscribe, tick the email box again the next time you comment."
        ),
    ),
}


def refused(request, why):
    status, title, advice = REFUSALS[why]
    return page(request, "refused.html", {"title": title, "advice": advice}, status=status)


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The confirmation link: a page with one button; its POST confirms."""
    try:
        found = subscriptions.by_pk(tokens.read_confirm_token(token))
    except tokens.Expired:
        return refused(request, "expired")
    except tokens.Invalid:
        return refused(request, "invalid")
    if not found:
        return refused(request, "gone")
    if request.method == "POST":
        found = subscriptions.confirm(token)
    done = all(s.is_confirmed for s in found)
    return page(request, "confirm.html", {"subscriptions": found, "done": done})


@csrf_exempt  # the one-click POST of mail clients carries no CSRF token: see the module
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The unsubscribe link: a page with one button; its POST (or a mail client's one-click
    POST) ends the subscriptions. Ending what is gone already is no error."""
    try:
        pks = tokens.read_unsubscribe_token(token)
    except tokens.Invalid:
        return refused(request, "invalid")
    found = subscriptions.by_pk(pks)
    if request.method == "POST":
        subscriptions.unsubscribe(found)
        return page(request, "unsubscribe.html", {"subscriptions": found, "done": True})
    return page(request, "unsubscribe.html", {"subscriptions": found, "done": not found})


class AddressForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=EMAIL_MAX_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "class": "form-control"})


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request):
    """Ask for a link to an address's subscriptions: mailed to that address if it has
    any; the answer is the same either way."""
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscriptions.manage_link(form.cleaned_data["email"])
        return page(request, "request.html", {"sent": True})
    status = 400 if form.is_bound else 200
    return page(request, "request.html", {"form": form}, status=status)


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """An address's subscriptions (from the link mailed to it): each with a button to end
    it, and one to end them all."""
    try:
        email = tokens.read_manage_token(token)
    except tokens.Expired:
        return refused_with_form(request, "expired-manage")
    except tokens.Invalid:
        return refused_with_form(request, "invalid")
    found = list(subscriptions.subscriptions_of(email))
    ended = None
    if request.method == "POST":
        which = request.POST.get("end", "")
        ending = found if which == "all" else [s for s in found if str(s.pk) == which]
        ended = subscriptions.unsubscribe(ending)
        found = [s for s in found if s not in ending]
    context = {"subscriptions": found, "ended": ended, "Scope": Scope}
    return page(request, "manage.html", context)


def refused_with_form(request, why):
    status, title, advice = REFUSALS[why]
    context = {"title": title, "advice": advice, "form": AddressForm()}
    return page(request, "refused.html", context, status=status)
