"""Train the spam filter now, on every editor's decision so far (and on imported history).

    manage.py train_spam_filter
    manage.py train_spam_filter --from-csv old-comments.csv [--text-column body]

The CSV needs a header row, a text column and a label column (1/0, spam/ham, true/false);
name and website columns are optional. The TubeSpam collection's file reads as it is.
A malformed file is refused with the line and the reason, and nothing of it is imported.
"""

from django.core.management.base import BaseCommand, CommandError

from comments.spam import filter as spam_filter
from comments.spam import importing


class Command(BaseCommand):
    help = "Train the spam filter on the editors' decisions, optionally importing a CSV first."

    def add_arguments(self, parser):
        parser.add_argument("--from-csv", metavar="FILE", help="labelled comments to import")
        parser.add_argument("--text-column", help="the text's column (default: found by name)")
        parser.add_argument("--label-column", help="the label's column (default: found by name)")
        parser.add_argument("--name-column", help="the author's name column (optional)")

    def handle(self, *args, from_csv, text_column, label_column, name_column, **options):
        trigger = "manage.py train_spam_filter"
        if from_csv:
            try:
                examples = importing.read_labelled_csv(
                    from_csv,
                    text_column=text_column,
                    label_column=label_column,
                    name_column=name_column,
                )
            except OSError as error:
                raise CommandError(f"Can't read {from_csv}: {error.strerror}.") from error
            except importing.UnreadableFile as error:
                raise CommandError(f"{from_csv}: {error} Nothing was imported.") from error
            added = importing.import_examples(examples)
            spam = sum(example.is_spam for example in examples)
            self.stdout.write(
                f"Read {len(examples)} labelled comments ({spam} spam, {len(examples) - spam} "
                f"not spam): {added} new, {len(examples) - added} repeated or imported before."
            )
            trigger = f"imported {added} from {from_csv}"[:100]
        version = spam_filter.train(trigger)
        if version is None:
            raise CommandError(
                "Nothing to learn from yet: the filter needs at least one approved and one "
                "spam comment (decide some in the admin, or import a labelled file)."
            )
        self.stdout.write(self.style.SUCCESS(describe(version)))


def describe(version):
    lines = [
        f"Trained {version} on {version.ham_examples} good and {version.spam_examples} spam "
        f"comments in {version.training_seconds:.1f} s.",
    ]
    if version.cv_recall is None:
        lines.append("Too few examples to cross-validate: it records scores only.")
    else:
        lines.append(
            f"Cross-validated: {version.cv_recall:.1%} of spam caught, "
            f"{version.cv_false_spam:.2%} of good comments sent to spam, "
            f"ROC AUC {version.cv_auc:.4f}; thresholds: spam {version.spam_threshold:.3f}, "
            f"hold {version.hold_threshold:.3f}."
        )
        if not version.acts:
            lines.append(
                "Fewer examples than COMMENTS_FILTER_MIN_HAM / _MIN_SPAM: it records scores, "
                "which order the queue, and sends nothing to spam."
            )
    return "\n".join(lines)
