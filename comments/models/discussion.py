"""What is discussed: one Discussion per Django object or per page this site does not serve.

Comments belong to a Discussion, never to a model of the project's: the app discusses any
object of the models COMMENTS_MODELS lists (an article, a live blog, a podcast episode …)
and any page by its absolute URL (a static explainer, a page of another CMS). The thread,
the form, the feeds, the queue, alerts, exports and erasure all go through it.

Which objects may be discussed and which of them readers may see is said in one place,
COMMENTS_MODELS: `{"app_label.Model": {"public": "<manager method>", "published_at":
"<attribute>"}}`. `public` names a method of the model's default manager (or its queryset)
that returns what readers may see: an unpublished or scheduled object has no thread and
takes no comment. `published_at` names the date "close after days" counts from.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..conf import settings

URL_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 300


def discussed_models():
    """{model class: its COMMENTS_MODELS entry} for the installed models it names.

    Asked several times per page, so worked out once per value of the setting (the memo
    holds the setting itself, so a test's override is a new value)."""
    configured = settings.COMMENTS_MODELS
    if _discussed[0] is not configured:
        found = {}
        for label, options in configured.items():
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                continue  # comments.checks says so
            found[model] = {"public": None, "published_at": None, "updated_at": None} | dict(
                options or {}
            )
        _discussed[:] = [configured, found]
    return _discussed[1]


_discussed = [None, {}]


def public_objects(model):
    """The objects of `model` readers may see (COMMENTS_MODELS' `public`), or None when the
    model is not discussed."""
    options = discussed_models().get(model)
    if options is None:
        return None
    manager = model._default_manager
    name = options["public"]
    if not name:
        return manager.all()
    method = getattr(manager, name, None)
    if method is None:
        raise ImproperlyConfigured(
            f"COMMENTS_MODELS: {model._meta.label}'s manager has no method {name!r}."
        )
    return method()


def is_public(obj):
    """Whether readers may see `obj` now, by its model's COMMENTS_MODELS entry."""
    found = public_objects(type(obj))
    return found is not None and found.filter(pk=obj.pk).exists()


class DiscussionManager(models.Manager):
    def of(self, obj, *, public_only=False):
        """The discussion of `obj` (created on first use, its title and address kept up
        to date), or None when its model is not in COMMENTS_MODELS, or, with `public_only`,
        when readers may not see it (one query for a discussion that exists). A Discussion
        is its own discussion."""
        if isinstance(obj, Discussion):
            return obj
        options = discussed_models().get(type(obj))
        if options is None or obj.pk is None:
            return None
        key = {"content_type": ContentType.objects.get_for_model(obj), "object_id": str(obj.pk)}
        found = self.filter(**key)
        if public_only:
            public = public_objects(type(obj)).filter(pk=obj.pk)
            found = found.annotate(shown=models.Exists(public))
        discussion = found.first()
        if discussion is None:
            if public_only and not is_public(obj):
                return None
            described = _description(obj, options)
            try:
                with transaction.atomic():
                    return self.create(**key, **described)
            except IntegrityError:  # created by another request meanwhile
                discussion = self.get(**key)
        elif public_only and not discussion.shown:
            return None
        described = _description(obj, options)
        stale = {k: v for k, v in described.items() if getattr(discussion, k) != v}
        if stale:
            for name, value in stale.items():
                setattr(discussion, name, value)
            discussion.updated_at = timezone.now()
            self.filter(pk=discussion.pk).update(**stale, updated_at=discussion.updated_at)
        return discussion

    def counts_of(self, objects):
        """{object: approved-comment count} for any objects (of any discussed models), in
        one query per model: the counts the write path keeps, no COUNT(*)."""
        counts = {}
        by_model = {}
        for obj in objects:
            by_model.setdefault(type(obj), []).append(obj)
        for model, group in by_model.items():
            if model not in discussed_models():
                continue
            found = dict(
                self.filter(
                    content_type=ContentType.objects.get_for_model(model),
                    object_id__in=[str(obj.pk) for obj in group],
                ).values_list("object_id", "approved_count")
            )
            for obj in group:
                counts[obj] = found.get(str(obj.pk), 0)
        return counts

    def of_url(self, url, title=""):
        """The discussion of the page at `url` (absolute, http or https), created on first
        use."""
        url = normalize_page_url(url)
        discussion, _ = self.get_or_create(
            content_type=None,
            url=url,
            defaults={"title": (title or url)[:TITLE_MAX_LENGTH], "published_at": timezone.now()},
        )
        return discussion

    def recount(self, ids):
        """Set approved_count of these discussions from their comments (the write path
        calls it inside each change's transaction)."""
        if not ids:
            return
        approved = (
            apps.get_model("comments", "Comment")
            .objects.approved()
            .filter(discussion=models.OuterRef("pk"))
            .order_by()
            .values("discussion")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        self.filter(pk__in=ids).update(
            approved_count=models.functions.Coalesce(models.Subquery(approved), 0)
        )

    def public(self):
        """Discussions readers may see: every page discussion, and those of objects
        COMMENTS_MODELS says are public."""
        shown = models.Q(content_type__isnull=True)
        for model in discussed_models():
            shown |= models.Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=_pk_strings(public_objects(model)),
            )
        return self.filter(shown)


def _pk_strings(queryset):
    """The primary keys of `queryset`, as the text Discussion.object_id holds (a subquery)."""
    return (
        queryset.order_by()
        .annotate(pk_text=models.functions.Cast("pk", models.CharField()))
        .values("pk_text")
    )


def _description(obj, options):
    """What a discussion shows of its object: its title, address and publication date."""
    published_at = getattr(obj, options["published_at"], None) if options["published_at"] else None
    described = {
        "title": str(obj)[:TITLE_MAX_LENGTH],
        "url": obj.get_absolute_url()[:URL_MAX_LENGTH] if hasattr(obj, "get_absolute_url") else "",
    }
    if published_at is not None:
        described["published_at"] = published_at
    return described


def normalize_page_url(url):
    """A page's address as its discussion is keyed: absolute http(s), without the fragment."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Not an absolute http(s) address: {url!r}")
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc.lower()}{path}{query}"[:URL_MAX_LENGTH]


class Discussion(models.Model):
    """One discussed thing: a Django object (content type and object id) or a page by its
    absolute URL. It holds what the thread, the feeds and the queue show of it (title and
    address), whether it takes comments, and its approved-comment count, which the write
    path keeps (comments.moderation), so no page counts rows."""

    # No index of its own: the unique (content type, object id) constraint's serves.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("content type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    content_object = GenericForeignKey("content_type", "object_id")
    # A page discussion: the page's absolute URL (its key). An object's: its address as last
    # seen (get_absolute_url), kept up to date by Discussion.objects.of().
    url = models.CharField(_("address"), max_length=URL_MAX_LENGTH, blank=True, default="")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True, default="")
    is_open = models.BooleanField(
        _("open for comments"), default=True, help_text=_("Readers may post new comments here.")
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("Comments close at this time (blank: only 'close after days' applies)."),
    )
    # The object's publication date where it has one (COMMENTS_MODELS' published_at), else
    # when the discussion began: "close after days" counts from it.
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    approved_count = models.PositiveIntegerField(_("approved comments"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Changes with anything a cached page shows of the discussion (its title, its switch).
    updated_at = models.DateTimeField(auto_now=True)

    objects = DiscussionManager()

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(content_type__isnull=False),
                name="unique_discussion_per_object",
            ),
            models.UniqueConstraint(
                fields=["url"],
                condition=models.Q(content_type__isnull=True),
                name="unique_discussion_per_page",
            ),
            models.CheckConstraint(
                condition=models.Q(content_type__isnull=False) | ~models.Q(url=""),
                name="discussion_of_object_or_page",
            ),
        ]

    def __str__(self):
        return self.title or self.url or gettext("Discussion %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        """Where readers see the thread: the object's page, or for a page discussion this
        site's own page of it (the thread and the form, HTML first)."""
        if self.is_page or not self.url:
            return reverse("comments:discussion", kwargs={"discussion_id": self.pk})
        return self.url

    @property
    def is_page(self):
        """A page this site does not serve, known by its URL."""
        return self.content_type_id is None

    def accepts_comments(self, policy):
        """Whether readers may post here now: the switch is on, the closing time (if any)
        has not come, and with "close after days" set (COMMENTS_CLOSE_AFTER_DAYS or
        Discussion settings) it began fewer than that many days ago."""
        if not self.is_open:
            return False
        now = timezone.now()
        if self.closes_at is not None and now >= self.closes_at:
            return False
        days = policy.close_after_days
        return not days or now < self.published_at + timedelta(days=days)
