"""Measure the spam filter on a labelled file (by default the shared TubeSpam training split).

The comments are taken in time order, the way editors' decisions arrive. Printed:

- nested cross-validation: for each of 5 folds (copies of one text kept together), a filter
  trained on the other four with thresholds it chose itself from them alone (as `train` does
  on the site), judged on the fold it never saw: spam caught, good comments sent to spam,
  ROC AUC of the held-out scores;
- time order: trained on the first 80 %, judged on the last 20 %;
- the time to train on everything (with the cross-validation that picks the thresholds), and
  the time to score one comment (features, score and explanation, as a post does): p50, p99.

Nothing touches the database.

    SECRET_KEY=x DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py bench_spam_filter
"""

import statistics
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from sklearn.model_selection import StratifiedGroupKFold

from comments.spam import importing
from comments.spam import model as spam_model
from comments.spam.features import clean_text

# A copy of ../shared/fixtures/tubespam, CC BY 4.0 (see its README).
TUBESPAM = Path(settings.BASE_DIR) / "tests/data/tubespam/TubeSpam_train.csv"


class Command(BaseCommand):
    help = "Cross-validate the spam filter on a labelled CSV and time training and scoring."

    def add_arguments(self, parser):
        parser.add_argument("--csv", default=str(TUBESPAM))
        parser.add_argument("--max-false-spam", type=float, default=0.01)

    def handle(self, *args, csv, max_false_spam, **options):
        examples = self._in_time_order(csv)
        spam = sum(e.is_spam for e in examples)
        self.stdout.write(
            f"{Path(csv).name}: {len(examples)} comments, {spam} spam, "
            f"{len(examples) - spam} not spam; target: at most {max_false_spam:.0%} of good "
            "comments sent to spam"
        )
        self._nested(examples, max_false_spam)
        self._time_order(examples, max_false_spam)
        self._timings(examples, max_false_spam)

    def _in_time_order(self, path):
        import csv as csv_module

        try:
            examples = importing.read_labelled_csv(path)
            with open(path, encoding="utf-8-sig", newline="") as handle:
                dates = [row.get("date") or "" for row in csv_module.DictReader(handle)]
        except (OSError, importing.UnreadableFile) as error:
            raise CommandError(str(error)) from error
        if len(dates) != len(examples):
            dates = [""] * len(examples)
        order = sorted(range(len(examples)), key=lambda i: (dates[i] == "", dates[i], i))
        return [examples[i] for i in order]

    def _report(self, label, spam_scores, good_scores, thresholds):
        caught = sum(s >= t for s, t in spam_scores)
        false = sum(s >= t for s, t in good_scores)
        auc = spam_model.ranking_auc([s for s, _ in spam_scores], [s for s, _ in good_scores])
        self.stdout.write(
            f"  {label:<34} spam caught {caught / len(spam_scores):6.1%} "
            f"({caught}/{len(spam_scores)})   good sent to spam "
            f"{false / len(good_scores):5.2%} ({false}/{len(good_scores)})   "
            f"ROC AUC {auc:.4f}   thresholds {thresholds}"
        )

    def _nested(self, examples, max_false_spam):
        labels = np.asarray([e.is_spam for e in examples], dtype=int)
        groups = [clean_text(e.text).lower() for e in examples]
        spam_scores, good_scores, chosen = [], [], []
        splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=1)
        for train_rows, test_rows in splitter.split(np.zeros(len(examples)), labels, groups):
            training = [examples[i] for i in train_rows]
            threshold = spam_model.evaluate(training, max_false_spam).spam_threshold
            scorer = spam_model.Scorer(spam_model.train(training))
            chosen.append(f"{threshold:.3f}")
            for i in test_rows:
                score = scorer.score(examples[i].text, examples[i].name, examples[i].website)
                (spam_scores if examples[i].is_spam else good_scores).append((score, threshold))
        self._report("nested 5-fold cross-validation", spam_scores, good_scores, chosen)

    def _time_order(self, examples, max_false_spam):
        cut = int(len(examples) * 0.8)
        training, later = examples[:cut], examples[cut:]
        threshold = spam_model.evaluate(training, max_false_spam).spam_threshold
        scorer = spam_model.Scorer(spam_model.train(training))
        scored = [(scorer.score(e.text, e.name, e.website), threshold, e.is_spam) for e in later]
        self._report(
            "first 80 % -> last 20 % (by date)",
            [(s, t) for s, t, spam in scored if spam],
            [(s, t) for s, t, spam in scored if not spam],
            f"{threshold:.3f}",
        )

    def _timings(self, examples, max_false_spam):
        start = time.perf_counter()
        model = spam_model.train(examples)
        fit = time.perf_counter() - start
        spam_model.evaluate(examples, max_false_spam)
        total = time.perf_counter() - start
        scorer = spam_model.Scorer(model)
        timings = []
        for example in examples:
            begin = time.perf_counter()
            scorer.explain(example.text, example.name, example.website, 3)
            timings.append((time.perf_counter() - begin) * 1000)
        timings.sort()
        p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
        self.stdout.write(
            f"  training on all {len(examples)}: {fit:.1f} s for the model, {total:.1f} s with "
            f"the cross-validation that picks its thresholds; {len(model['features'])} features"
        )
        self.stdout.write(
            f"  scoring one comment ({len(timings)} comments): p50 "
            f"{statistics.median(timings):.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
        )
