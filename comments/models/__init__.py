"""The comments app's data: comments and their trail, the discussion policy, the spam
filter's examples and versions, staff API tokens, readers' recommendations, reports and
subscriptions. Re-exported here, so
`from comments.models import Comment` works whichever module defines it.

Base layer: imports only `comments.conf` and `comments.sanitize`; never a project's models
(what is discussed is a Discussion: comments.models.discussion).
"""

from .api_token import ApiToken, ApiTokenQuerySet
from .comment import (
    COMMENT_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    QUEUE_ORDER,
    THREAD_FIELDS,
    URL_MAX_LENGTH,
    Comment,
    CommentQuerySet,
    QueueIndex,
    comment_fingerprint,
    normalize_email,
    validate_website,
)
from .counting import EXACT_BELOW, estimated_count
from .discussion import (
    Discussion,
    DiscussionManager,
    discussed_models,
    is_public,
    normalize_page_url,
    public_objects,
)
from .policy import (
    POLICY_FOR_PAGES_KEY,
    Block,
    BlockQuerySet,
    DiscussionSettings,
    Policy,
    current_policy,
    forget_policy_for_pages,
    range_covering,
)
from .reactions import REPORT_TEXT_MAX_LENGTH, Recommendation, Report
from .spam import SpamExample, SpamFilterQuerySet, SpamFilterVersion
from .subscription import Subscription, SubscriptionQuerySet
from .trail import ModerationEvent

__all__ = [
    "COMMENT_MAX_LENGTH",
    "EMAIL_MAX_LENGTH",
    "EXACT_BELOW",
    "NAME_MAX_LENGTH",
    "POLICY_FOR_PAGES_KEY",
    "QUEUE_ORDER",
    "REPORT_TEXT_MAX_LENGTH",
    "THREAD_FIELDS",
    "URL_MAX_LENGTH",
    "ApiToken",
    "ApiTokenQuerySet",
    "Block",
    "BlockQuerySet",
    "Comment",
    "CommentQuerySet",
    "Discussion",
    "DiscussionManager",
    "DiscussionSettings",
    "ModerationEvent",
    "Policy",
    "QueueIndex",
    "Recommendation",
    "Report",
    "SpamExample",
    "SpamFilterQuerySet",
    "SpamFilterVersion",
    "Subscription",
    "SubscriptionQuerySet",
    "comment_fingerprint",
    "current_policy",
    "discussed_models",
    "estimated_count",
    "forget_policy_for_pages",
    "is_public",
    "normalize_email",
    "normalize_page_url",
    "public_objects",
    "range_covering",
    "validate_website",
]
