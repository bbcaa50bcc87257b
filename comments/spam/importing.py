"""Starting from another system's history: labelled examples from a CSV file."""

import csv

from django.db import transaction

from ..models import SpamExample
from . import model as spam_model
from .features import clean_name, clean_text


class UnreadableFile(ValueError):
    """A labelled file that can't be read; nothing of it was imported."""


TEXT_COLUMNS = ("text", "comment", "content", "body", "comment_content", "message")
LABEL_COLUMNS = ("label", "class", "is_spam", "spam", "status")
NAME_COLUMNS = ("author", "name", "author_name", "comment_author")
WEBSITE_COLUMNS = ("website", "url", "author_url", "comment_author_url")
SPAM_LABELS = {"1", "spam", "true", "yes"}
HAM_LABELS = {"0", "ham", "not spam", "false", "no", "approved"}


def _column(header, wanted, given):
    lowered = {name.strip().lower(): name for name in header}
    if given:
        if given.strip().lower() not in lowered:
            raise UnreadableFile(f"The file has no column “{given}” (it has: {', '.join(header)}).")
        return lowered[given.strip().lower()]
    return next((lowered[name] for name in wanted if name in lowered), None)


def read_labelled_csv(path, *, text_column=None, label_column=None, name_column=None):
    """The examples in a CSV file with a header row: a text and a label column (1/0,
    spam/ham, true/false), optional name and website columns. The text is cleaned of
    invisible format characters and double-escaped entities on the way in. Any bad row
    refuses the whole file (UnreadableFile, saying which line and why)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            text_key = _column(header, TEXT_COLUMNS, text_column)
            label_key = _column(header, LABEL_COLUMNS, label_column)
            name_key = _column(header, NAME_COLUMNS, name_column)
            website_key = _column(header, WEBSITE_COLUMNS, None)
            if text_key is None or label_key is None:
                raise UnreadableFile(
                    "The file needs a header row with a text column and a label column "
                    f"(found: {', '.join(header) or 'no header'})."
                )
            examples = []
            for row in reader:
                line = reader.line_num
                if None in row:
                    raise UnreadableFile(f"Line {line} has more fields than the header.")
                label = (row.get(label_key) or "").strip().lower()
                if label not in SPAM_LABELS | HAM_LABELS:
                    raise UnreadableFile(
                        f"Line {line}: the label “{row.get(label_key)}” is neither spam "
                        "(1, spam, true, yes) nor not spam (0, ham, false, no)."
                    )
                text = clean_text(row.get(text_key) or "")
                if not text:
                    raise UnreadableFile(f"Line {line}: the text is empty.")
                examples.append(
                    spam_model.Example(
                        text=text,
                        name=clean_name(row.get(name_key) or "") if name_key else "",
                        website=(row.get(website_key) or "").strip() if website_key else "",
                        is_spam=label in SPAM_LABELS,
                    )
                )
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"The file is not UTF-8 text ({error.reason}).") from error
    except csv.Error as error:
        raise UnreadableFile(f"The file is not readable CSV ({error}).") from error
    if not examples:
        raise UnreadableFile("The file has no rows.")
    return examples


def import_examples(examples):
    """Store imported examples (skipping ones already imported); return how many were new."""
    with transaction.atomic():
        known = set(
            SpamExample.objects.filter(source=SpamExample.Source.IMPORT).values_list(
                "text", "is_spam"
            )
        )
        new = []
        for example in examples:
            if (example.text, example.is_spam) in known:
                continue
            known.add((example.text, example.is_spam))
            new.append(
                SpamExample(
                    is_spam=example.is_spam,
                    author_name=example.name[:245],
                    author_url=example.website[:200],
                    text=example.text,
                    source=SpamExample.Source.IMPORT,
                )
            )
        SpamExample.objects.bulk_create(new, batch_size=500)
    return len(new)
