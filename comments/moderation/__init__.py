"""The one write path: every change to a comment is made in this package, and only here.

- `registry`: the listeners told after each committed change (attached in `comments.apps`).
- `rules`: the policy for new comments (which status, which rule decided, why).
- `decisions`: one function per decision, each recording who or which rule decided and why,
  `DECISIONS`, the one table of the decisions editors take, and `RULE_LABELS`, the automatic
  rules' names as editors read them.
- `privacy`: a commenter's data for export, erasure at their request, the IP purge.
- `reactions`: readers' recommendations (counted on the comment) and reports (enough of them
  hold the comment).
- `imports`: a newsroom's history (records read by `comments.history`) brought in.

Everything is re-exported here: `from comments import moderation; moderation.approve(…)`.

Layer: below the readers' side (`comments.public`) and the editors' desk (`comments.desk`),
which call it; above `comments.spam` and `comments.thread`, which it calls or which listen to
it, and the base (`comments.models`, `comments.sanitize`, `comments.conf`).
"""

from .decisions import (
    DECISIONS,
    POSTER,
    RULE_LABELS,
    Action,
    DuplicateComment,
    EditorsDecision,
    Status,
    approve,
    delete,
    edit,
    edit_own,
    feature,
    hold,
    is_duplicate,
    mark_spam,
    remove,
    remove_own,
    restore,
    rule_label,
    staff_name,
    staff_reply,
    submit,
    unfeature,
)
from .imports import IMPORT, DiscussionsByLink, ImportReport, bring_in, page_path
from .privacy import (
    ANONYMOUS,
    IP_RETENTION,
    PERSONAL_FIELDS,
    commenter_data,
    comments_of,
    erase,
    purge_ips,
)
from .reactions import (
    READER_REPORTS,
    CannotReact,
    Reported,
    recommend,
    recommended_by,
    report,
    reports_to_hold,
    unrecommend,
)
from .registry import Change, disconnect, listeners, listening, on_change
from .rules import (
    FLOOD_UNCHECKED,
    HONEYPOT,
    TOO_FAST,
    Decision,
    count_links,
    find_listed_word,
    initial_decision,
)

__all__ = [
    "ANONYMOUS",
    "DECISIONS",
    "FLOOD_UNCHECKED",
    "HONEYPOT",
    "IMPORT",
    "IP_RETENTION",
    "PERSONAL_FIELDS",
    "POSTER",
    "READER_REPORTS",
    "RULE_LABELS",
    "TOO_FAST",
    "Action",
    "CannotReact",
    "Change",
    "Decision",
    "DiscussionsByLink",
    "DuplicateComment",
    "EditorsDecision",
    "ImportReport",
    "Reported",
    "Status",
    "approve",
    "bring_in",
    "commenter_data",
    "comments_of",
    "count_links",
    "delete",
    "disconnect",
    "edit",
    "edit_own",
    "erase",
    "feature",
    "find_listed_word",
    "hold",
    "initial_decision",
    "is_duplicate",
    "listeners",
    "listening",
    "mark_spam",
    "on_change",
    "page_path",
    "purge_ips",
    "recommend",
    "recommended_by",
    "remove",
    "remove_own",
    "report",
    "reports_to_hold",
    "restore",
    "rule_label",
    "staff_name",
    "staff_reply",
    "submit",
    "unfeature",
    "unrecommend",
]
