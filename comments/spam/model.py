"""The spam filter's model: three linear models averaged, trained with scikit-learn and
scored in plain Python.

The parts, over comments.spam.features' features:

1. logistic regression on TF-IDF of the words, link domains and binned counts;
2. logistic regression on TF-IDF of the character n-grams;
3. multinomial naive Bayes on which features are present.

Each part's score is standardised (z) on the training set and the three are averaged. On the
TubeSpam collection this caught more spam, at 1 % of good comments sent to spam, than any
single model, boosting or stacking tried (docs/spam.md). Because every part is
linear, the whole model is one table, feature -> (idf, weight in the regressions, weight in
naive Bayes): it is stored as JSON (plain data, safe to load, unlike a pickle), and app servers
score with a few dictionary look-ups: no numpy at request time, under 5 ms a comment, and each
score explains itself exactly, feature by feature.

Training needs scikit-learn; it is imported only there.
"""

import json
import math
from dataclasses import dataclass

from .features import analyse, clean_text, describe, log_odds_to_score

KIND = "z-average-v1"
C = 10.0  # little regularisation: the features are many and sparse, the examples few
NB_ALPHA = 0.1
# A word or n-gram must appear in two examples to be weighed (from 100 examples on: with
# a handful of unrelated ones, no word might).
MIN_DOCUMENT_FREQUENCY = 2
# The safety margin on the false-spam target: thresholds are set so that half the allowed
# share of good comments, cross-validated, would be sent to spam (fold-to-fold noise is large
# with a few hundred good comments).
THRESHOLD_MARGIN = 0.5
# The hold threshold: above it, at most this share of good comments (cross-validated) is held
# by the filter for an editor, even from a known author.
MAX_FALSE_HOLD = 0.05


@dataclass(frozen=True)
class Example:
    text: str
    name: str = ""
    website: str = ""
    is_spam: bool = False


def _features_of(examples):
    return [analyse(example.text, example.name, example.website) for example in examples]


def train(examples):
    """Fit the three parts on `examples` (both labels needed); return the model as a dict."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    analysed = _features_of(examples)
    labels = np.asarray([example.is_spam for example in examples], dtype=int)
    table = {}  # feature -> [idf, regression weight, naive Bayes weight]
    constant = 0.0

    def given(features):
        return features  # the documents are lists of features already

    for blocks in ((0, 2), (1,)):  # words + counts; characters
        vectorizers = [
            TfidfVectorizer(
                analyzer=given,
                lowercase=False,
                sublinear_tf=True,
                min_df=1 if block == 2 or len(examples) < 100 else MIN_DOCUMENT_FREQUENCY,
            )
            for block in blocks
        ]
        matrix = hstack(
            [
                vectorizer.fit_transform([features[block] for features in analysed])
                for vectorizer, block in zip(vectorizers, blocks, strict=True)
            ]
        ).tocsr()
        regression = LogisticRegression(C=C, solver="liblinear", max_iter=2000)
        regression.fit(matrix, labels)
        scores = regression.decision_function(matrix)
        spread = float(scores.std()) + 1e-9
        constant += (float(regression.intercept_[0]) - float(scores.mean())) / spread
        weights = regression.coef_.ravel()
        offset = 0
        for vectorizer in vectorizers:
            for feature, column in vectorizer.vocabulary_.items():
                entry = table.setdefault(feature, [0.0, 0.0, 0.0])
                entry[0] = float(vectorizer.idf_[column])
                entry[1] += float(weights[offset + column]) / spread
            offset += len(vectorizer.vocabulary_)

    counter = CountVectorizer(analyzer=given, lowercase=False, binary=True)
    presence = counter.fit_transform([words + chars + meta for words, chars, meta in analysed])
    bayes = MultinomialNB(alpha=NB_ALPHA).fit(presence, labels)
    log_ratio = bayes.feature_log_prob_[1] - bayes.feature_log_prob_[0]
    joint = bayes.predict_joint_log_proba(presence)
    scores = joint[:, 1] - joint[:, 0]
    spread = float(scores.std()) + 1e-9
    prior = float(bayes.class_log_prior_[1] - bayes.class_log_prior_[0])
    constant += (prior - float(scores.mean())) / spread
    for feature, column in counter.vocabulary_.items():
        table.setdefault(feature, [0.0, 0.0, 0.0])[2] = float(log_ratio[column]) / spread

    return {
        "kind": KIND,
        "constant": constant / 3,
        "features": {
            feature: [round(idf, 5), round(regression, 6), round(naive, 6)]
            for feature, (idf, regression, naive) in table.items()
        },
    }


class Scorer:
    """A trained model, loaded: scores and explains one comment at a time, in plain Python."""

    def __init__(self, model):
        if isinstance(model, bytes | str):
            model = json.loads(model)
        if model.get("kind") != KIND:
            raise ValueError(f"Not a {KIND} spam model.")
        self.constant = model["constant"]
        self.features = model["features"]

    def contributions(self, text, name="", website=""):
        """Each feature's share of the comment's log-odds."""
        table = self.features
        shares = {}
        analysed = analyse(text, name, website)
        for block in analysed:  # the regressions: sublinear TF-IDF, L2-normalised per block
            counts = {}
            for feature in block:
                entry = table.get(feature)
                if entry is not None and entry[0] > 0:
                    counts[feature] = counts.get(feature, 0) + 1
            if not counts:
                continue
            values = {f: (1.0 + math.log(n)) * table[f][0] for f, n in counts.items()}
            norm = math.sqrt(sum(value * value for value in values.values()))
            for feature, value in values.items():
                share = table[feature][1] * value / norm / 3
                shares[feature] = shares.get(feature, 0.0) + share
        for feature in {feature for block in analysed for feature in block}:  # naive Bayes
            entry = table.get(feature)
            if entry is not None and entry[2]:
                shares[feature] = shares.get(feature, 0.0) + entry[2] / 3
        return shares

    def log_odds(self, text, name="", website=""):
        return self.constant + sum(self.contributions(text, name, website).values())

    def score(self, text, name="", website=""):
        """0 to 1: how sure the model is that this is spam."""
        return log_odds_to_score(self.log_odds(text, name, website))

    def explain(self, text, name="", website="", top=5):
        """The score and the features that pushed it most, each way, as editors read them."""
        shares = self.contributions(text, name, website)
        ordered = sorted(shares.items(), key=lambda item: item[1])
        return {
            "score": log_odds_to_score(self.constant + sum(shares.values())),
            "spam": [(describe(f), round(w, 3)) for f, w in reversed(ordered[-top:]) if w > 0],
            "not spam": [(describe(f), round(w, 3)) for f, w in ordered[:top] if w < 0],
        }

    def top_features(self, count=15):
        """The features that weigh most, each way (their weight when present once)."""
        ranked = sorted(
            ((entry[1] + entry[2]) / 3, feature)
            for feature, entry in self.features.items()
            if not feature.startswith("c:")  # letter fragments mean little to editors
        )
        return {
            "spam": [(describe(f), round(w, 3)) for w, f in reversed(ranked[-count:])],
            "not spam": [(describe(f), round(w, 3)) for w, f in ranked[:count]],
        }


@dataclass(frozen=True)
class Evaluation:
    """Cross-validated quality on the examples, and the thresholds chosen from it."""

    spam_threshold: float
    hold_threshold: float
    recall: float  # share of spam scoring at or above the spam threshold
    false_spam: float  # share of good comments scoring at or above it
    auc: float


def out_of_fold_scores(examples, folds=5, seed=0):
    """Each example's score from a model that never saw it (nor any copy of its text)."""
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.asarray([example.is_spam for example in examples], dtype=int)
    groups = [clean_text(example.text).lower() for example in examples]
    scores = [0.0] * len(examples)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_rows, test_rows in splitter.split(np.zeros(len(examples)), labels, groups):
        scorer = Scorer(train([examples[row] for row in train_rows]))
        for row in test_rows:
            example = examples[row]
            scores[row] = scorer.score(example.text, example.name, example.website)
    return scores


def threshold_for(good_scores, share):
    """The lowest threshold that at most `share` (with the safety margin) of good comments
    reach: everything scoring at or above it is judged spam."""
    ranked = sorted(good_scores, reverse=True)
    allowed = math.floor(THRESHOLD_MARGIN * share * len(ranked))
    if allowed >= len(ranked):
        return 0.0
    return math.nextafter(ranked[allowed], math.inf)


def evaluate(examples, max_false_spam, folds=5):
    """Cross-validate on `examples` and choose both thresholds from good comments' scores."""
    scores = out_of_fold_scores(examples, folds)
    good = [s for s, e in zip(scores, examples, strict=True) if not e.is_spam]
    spam = [s for s, e in zip(scores, examples, strict=True) if e.is_spam]
    spam_threshold = threshold_for(good, max_false_spam)
    hold_threshold = min(spam_threshold, threshold_for(good, MAX_FALSE_HOLD / THRESHOLD_MARGIN))
    return Evaluation(
        spam_threshold=spam_threshold,
        hold_threshold=hold_threshold,
        recall=sum(s >= spam_threshold for s in spam) / len(spam),
        false_spam=sum(s >= spam_threshold for s in good) / len(good),
        auc=ranking_auc(spam, good),
    )


def ranking_auc(spam_scores, good_scores):
    """The chance that a spam scores above a good comment (ties count half): ROC AUC."""
    ranked = sorted([(s, 1) for s in spam_scores] + [(s, 0) for s in good_scores])
    rank_sum, index = 0.0, 0
    while index < len(ranked):
        end = index
        while end < len(ranked) and ranked[end][0] == ranked[index][0]:
            end += 1
        average_rank = (index + 1 + end) / 2
        rank_sum += average_rank * sum(label for _, label in ranked[index:end])
        index = end
    spam, good = len(spam_scores), len(good_scores)
    return (rank_sum - spam * (spam + 1) / 2) / (spam * good) if spam and good else 0.0
