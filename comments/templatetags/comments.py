"""How a project's pages pull in comments, for any discussed object (COMMENTS_MODELS) or a
Discussion: `{% comment_thread obj %}`, `{% comment_form obj %}`, `{% comment_count obj %}`
and `objects|with_comment_counts`. The project's apps never import this one."""

import secrets

from crispy_forms.utils import render_crispy_form
from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_supported_language_variant, gettext

from .. import thread
from ..conf import settings
from ..models import Comment, Discussion, estimated_count
from ..public import pages
from ..public.catalog import catalog_version
from ..public.forms import CommentForm, notify_all_label, sign_form_token
from ..public.session import (
    forget_posted_in,
    mark_personal,
    posted_in,
    poster_key,
    remembered_author,
)
from ..thread.render import author_name_html, comment_body, page_query, says, thread_order

register = template.Library()


@register.simple_tag
def comment_styles():
    """The stylesheet for threads and the form, from this site (never a CDN)."""
    return format_html('<link rel="stylesheet" href="{}">', static("comments/comments.css"))


@register.simple_tag
def comment_scripts():
    """The one script of the comments, from this site: replies and posting without reloads;
    before it, its words in the page's language (comment_catalog_script; both deferred, so
    they run in this order). Without the catalog the script speaks English."""
    script = format_html('<script src="{}" defer></script>', static("comments/comments.js"))
    return format_html("{}{}", comment_catalog_script(), script)


@register.simple_tag
def comment_catalog_script():
    """The scripts' words in the page's language (comments.public.catalog), its address
    naming the catalogs' version so that a release's new words show at once; nothing for a
    language the site does not ship (the scripts speak English)."""
    try:
        language = get_supported_language_variant(get_language() or "")
    except LookupError:
        return ""
    catalog = reverse("comments:jsi18n", kwargs={"lang": language})
    return format_html('<script src="{}?v={}" defer></script>\n', catalog, catalog_version())


def discussion_for(context, obj):
    """The discussion of `obj` a page shows, or None (its model is not in COMMENTS_MODELS,
    or readers may not see it: an unpublished or scheduled object has no thread and no
    form). Looked up once per page and object."""
    request = context.get("request")
    found = _memo(request, "_comment_discussions")
    key = (type(obj), obj.pk)
    if key not in found:
        found[key] = discussion = Discussion.objects.of(obj, public_only=True)
        if discussion is not None:
            _memo(request, "_comment_objects")[discussion.pk] = obj
    return found[key]


@register.simple_tag(takes_context=True)
def comment_thread(context, obj):
    """The thread of `obj` (any discussed object, or a Discussion): cached for every reader,
    or rendered for this one (see comments.thread). Behind ThreadSplicingMiddleware, a marker
    the middleware replaces with the thread's bytes; elsewhere the thread itself."""
    discussion = discussion_for(context, obj)
    if discussion is None:
        return ""
    html = thread_for(context, discussion)["html"]
    request = context.get("request")
    pages.offer_thread(request)
    splices = getattr(request, "comment_thread_splices", None)
    if splices is None:
        return mark_safe(html.decode())  # noqa: S308 - rendered by comments.thread
    marker = f"<!-- comment thread {secrets.token_hex(8)} -->"
    splices[marker.encode()] = html
    return mark_safe(marker)  # noqa: S308 - ours


@register.simple_tag(takes_context=True)
def comment_count(context, obj):
    """ "N comments" near the headline, linking to the thread: the thread's own count, so
    the number is the thread's and costs no query of its own."""
    discussion = discussion_for(context, obj)
    if discussion is None:
        return ""
    count = thread_for(context, discussion)["approved_count"]
    return render_to_string("comments/_count.html", {"approved_count": count})


def thread_for(context, discussion):
    """What the thread shows, worked out once per page and kept on the request.

    Everyone sees the approved comments; the session that posted a pending comment sees it
    too, and staff following "View on site" from the admin (?moderate=<id>) see that comment
    whatever its status. A removed comment with approved replies stays as a placeholder. The
    count is of approved comments only, as lists of objects show it.
    """
    request = context.get("request")
    memo = _memo(request, "_comment_threads")
    if discussion.pk not in memo:
        own = posted_in(request, discussion)
        memo[discussion.pk] = found = thread.thread_page(
            discussion,
            page=_requested_page(request),
            order=_requested_order(request),
            showing=_comment_asked_for(request),
            can_reply=comments_open(request, discussion),
            poster_key=poster_key(request),
            own=own,
            preview_id=_staff_preview_id(request),
            generation=_page_state(request, discussion).generation,
        )
        if found["personal"]:
            mark_personal(request)
        elif own:  # all decided and past editing: this reader gets the cached page again
            forget_posted_in(request, discussion)
        _offer_whole_page(request, discussion, found)
    return memo[discussion.pk]


def _offer_whole_page(request, discussion, found):
    """Tell the whole-page cache (comments.public.pages) whether this page shows the thread
    every reader sees."""
    state = _page_state(request, discussion)
    if found["personal"] or _staff_preview_id(request) or state.generation is None:
        pages.withdraw_offer(request)
        return
    pages.offer(
        request,
        discussion=discussion,
        obj=_memo(request, "_comment_objects").get(discussion.pk, discussion),
        page=found["page"],
        order=_requested_order(request),
        generation=state.generation,
        policy=state.policy,
        was_open=comments_open(request, discussion),
    )


def comments_open(request, discussion):
    """Whether the discussion takes comments, asked once per page: the thread's Reply links
    and the form both need it."""
    answers = _memo(request, "_comments_open")
    if discussion.pk not in answers:
        policy = _page_state(request, discussion).policy
        answers[discussion.pk] = discussion.accepts_comments(policy)
    return answers[discussion.pk]


def _page_state(request, discussion):
    """comments.thread.page_state, once per page."""
    states = _memo(request, "_comment_page_states")
    if discussion.pk not in states:
        states[discussion.pk] = thread.page_state(discussion)
    return states[discussion.pk]


def _memo(request, name):
    """A dict kept on the request (a fresh one when there is no request)."""
    return request.__dict__.setdefault(name, {}) if request is not None else {}


def _requested_page(request):
    """?cpage=N (the thread keeps it within the pages there are: a stale link lands on the
    nearest)."""
    value = request.GET.get("cpage", "") if request is not None else ""
    return int(value) if value.isdecimal() and len(value) < 9 else 1


def _requested_order(request):
    """?csort=oldest|newest|best, the order of the thread's top-level threads; anything else
    (or none): the site's default, COMMENTS_THREAD_ORDER (comments.thread.render.thread_order)."""
    return thread_order(request.GET.get("csort") if request is not None else None)


def _comment_asked_for(request):
    """?comment=N: the comment a post landed on (its page is found when the thread is)."""
    value = request.GET.get("comment", "") if request is not None else ""
    return int(value) if value.isdecimal() and len(value) < 19 else None


@register.simple_tag(takes_context=True)
def comment_page_title(context, obj):
    """ " · Comments page 2" for the page title, on every comment page after the first."""
    discussion = discussion_for(context, obj)
    page = thread_for(context, discussion)["page"] if discussion is not None else 1
    if page <= 1:
        return ""
    # Translators: in the page's title, after the title of what is discussed.
    return " · " + gettext("Comments page %(page)s") % {"page": number_format(page)}


@register.simple_tag(takes_context=True)
def comment_page_canonical(context, obj):
    """<link rel="canonical"> naming the comment page shown: its order when it is not the
    default (?csort=), then its page past the first (cpage); the page itself for the first
    page in the default order."""
    discussion = discussion_for(context, obj)
    request = context.get("request")
    page, order = 1, thread_order()
    if discussion is not None:
        page, order = thread_for(context, discussion)["page"], _requested_order(request)
    # A path: browsers and search engines resolve it against this site's own address.
    url = obj.get_absolute_url() + page_query(page, order)
    return format_html('<link rel="canonical" href="{}">', url)


def _staff_preview_id(request):
    """The comment id staff asked to see in context, if they may see it."""
    if request is None or not request.GET.get("moderate", "").isdecimal():
        return None
    if not request.user.has_perm("comments.view_comment"):
        return None
    return int(request.GET["moderate"])


@register.simple_tag(takes_context=True)
def comment_form(context, obj):
    """The "Leave a Reply" form for `obj` (any discussed object, or a Discussion): the bound
    one when re-shown with errors, else a blank one, answering ?replytocom=<id> when that is
    an approved comment of this discussion."""
    request = context.get("request")
    discussion = discussion_for(context, obj)
    if discussion is None:
        return ""
    form = context.get("comment_form")
    open_ = comments_open(request, discussion)
    if form is None:
        initial = {}
        reply_to = request.GET.get("replytocom", "") if request is not None else ""
        if reply_to.isdecimal():
            parent = Comment.objects.approved().filter(discussion=discussion, pk=reply_to).first()
            if parent is not None:
                initial = {"parent": parent.pk, "parent_comment": parent}
        remembered = remembered_author(request)
        if remembered:
            initial |= remembered | {"remember": True}
            mark_personal(request)
        if not initial and request is not None:
            return blank_form(request, discussion, open_)
        form = CommentForm(discussion=discussion, initial=initial)
    pages.withdraw_offer(request)  # a form of this reader's own
    return render_to_string(
        "comments/_form.html",
        {
            "form": form,
            "discussion": discussion,
            "action": _post_url(discussion),
            "open": open_,
            "fields": render_crispy_form(form, form.helper),
        },
        request=request,
    )


# What differs between two readers' blank forms, as placeholders in the one rendering.
ACTION_PLACEHOLDER = "comment-form-action-placeholder"
TOKEN_PLACEHOLDER = "comment-form-token-placeholder"  # noqa: S105 (not a secret)
CSRF_PLACEHOLDER = "comment-form-csrf-placeholder"
_blank_forms = {}


def blank_form(request, discussion, open_):
    """The blank form, rendered once per process and filled in per request.

    Every reader's blank form is the same but for its address (the discussion's), its form
    token and its CSRF token, and rendering it (crispy's fields most of all) took longer than
    the rest of a page with its cached thread. So it is rendered once with placeholders, and
    each page puts its own values in; nothing of one reader reaches another. (With DEBUG on,
    every time, so template edits show at once.)
    """
    # One rendering per state, per label of the "anyone comments" box ("on this article",
    # "on this page") and per language: the rest of the blank form is the same on every page.
    key = (open_, str(notify_all_label(discussion)), get_language())
    if settings.DEBUG or key not in _blank_forms:
        blank = CommentForm(discussion=discussion)
        blank.initial["token"] = TOKEN_PLACEHOLDER
        _blank_forms[key] = render_to_string(
            "comments/_form.html",
            {
                "form": blank,
                "action": ACTION_PLACEHOLDER,
                "open": open_,
                "fields": render_crispy_form(blank, blank.helper),
                "csrf_token": CSRF_PLACEHOLDER,
            },
        )
    form_token, csrf_token = sign_form_token(discussion), get_token(request)
    pages.offer_values(request, csrf_token=csrf_token, form_token=form_token)
    html = (
        _blank_forms[key]
        .replace(ACTION_PLACEHOLDER, _post_url(discussion))
        .replace(TOKEN_PLACEHOLDER, conditional_escape(form_token))
        .replace(CSRF_PLACEHOLDER, conditional_escape(csrf_token))
    )
    return mark_safe(html)  # noqa: S308 - our template, escaped values


def _post_url(discussion):
    return reverse("comments:post", kwargs={"discussion_id": discussion.pk})


@register.simple_tag
def pending_comment_count():
    """How many comments wait for an editor (the admin index shows it), estimated when
    there are many (see comments.models.counting)."""
    return estimated_count(Comment.objects.pending())


@register.filter
def with_comment_counts(objects):
    """Set `approved_comment_count` on each object of a list (of any discussed models), in
    one query per model, from the counts the write path keeps on each Discussion."""
    objects = list(objects)
    counts = Discussion.objects.counts_of(objects)
    for obj in objects:
        obj.approved_comment_count = counts.get(obj, 0)
    return objects


@register.simple_tag
def comment_author_name(comment):
    """A comment's author name as the thread and the picks show it (comments.thread.render)."""
    return author_name_html(comment)


@register.simple_tag
def comment_author_says(comment):
    """ "Ann says:" over a comment quoted on a page, the name in bold as the thread has it."""
    return says(format_html('<b class="fn">{}</b>', author_name_html(comment)))


@register.simple_tag
def comment_body_html(comment):
    """A comment's sanitized text, trusted as the thread trusts it (comments.thread.render)."""
    return comment_body(comment)
