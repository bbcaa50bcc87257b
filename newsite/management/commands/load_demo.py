"""Load the demo articles and their comments, once.

It lives in the demo site (newsite), the one place that knows both apps: articles never
imports comments, and the comments app knows no project's models. Running it again changes
nothing: articles are matched by slug, and an article that already exists keeps whatever
comments it has.

Comments go through the moderation module, the one way comments are written: submitted like
a reader's (new authors are held as pending), then approved unless the demo keeps them
pending for the editors' queue.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import Comment, Discussion
from newsite.management.demo import ARTICLES


class Command(BaseCommand):
    help = "Load the demo articles with sample comments, three of them pending (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        created_articles = created_comments = 0
        for data in ARTICLES:
            published_at = now - timedelta(days=data["days_ago"])
            article, created = Article.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "headline": data["headline"],
                    "standfirst": data["standfirst"],
                    "photo_caption": data["photo_caption"],
                    "byline": data["byline"],
                    "body": data["body"],
                    "published_at": published_at,
                    "status": Article.Status.PUBLISHED,
                },
            )
            if not created:
                continue
            created_articles += 1
            created = []
            for minutes, item in enumerate(data["comments"], start=1):
                parent = created[item["reply_to"]] if "reply_to" in item else None
                comment = Comment(
                    discussion=Discussion.objects.of(article),
                    author_name=item["name"],
                    author_email=item["email"],
                    author_url=item["url"],
                    submitted_at=published_at + timedelta(minutes=37 * minutes),
                    parent=parent,
                )
                created.append(comment)
                comment.set_body(item["body"])
                comment.full_clean()
                moderation.submit(comment)
                if not item.get("pending"):
                    moderation.approve(Comment.objects.filter(pk=comment.pk), by="demo content")
                created_comments += 1
        self.stdout.write(
            f"Demo content: {created_articles} new articles, {created_comments} new comments."
        )
