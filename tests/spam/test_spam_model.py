"""The spam filter's model, without the site around it: what it reads in a comment
(comments.spam.features), what it learns and stores (comments.spam.model.train), how it scores
and explains, and how it picks its thresholds (evaluate).

No database: these are the parts every app server runs in plain Python. The real TubeSpam
collection (tests/data/tubespam) is the labelled data where a real one is needed.
"""

import functools
import json
import math
import random
import zlib
from pathlib import Path

import pytest
from django.conf import settings

from comments.spam import model as spam_model
from comments.spam.features import analyse, clean_name, clean_text, describe
from comments.spam.importing import read_labelled_csv
from comments.spam.model import Example, Scorer

TUBESPAM = Path(settings.BASE_DIR) / "tests/data/tubespam/TubeSpam_train.csv"


@functools.cache
def tubespam():
    return tuple(read_labelled_csv(TUBESPAM))


def subset(ham, spam, seed=0):
    """`ham` good and `spam` spam TubeSpam examples, drawn at random (fixed seed)."""
    rows = list(tubespam())
    random.Random(seed).shuffle(rows)
    good = [row for row in rows if not row.is_spam][:ham]
    bad = [row for row in rows if row.is_spam][:spam]
    return good + bad


def every_feature(text, name="", website=""):
    words, chars, meta = analyse(text, name, website)
    return words + chars + meta


# --------------------------------------------------------------------------------------------
# Cleaning: what a reader sees is what the model reads


def test_an_invisible_byte_order_mark_changes_no_feature():
    """Guards against learning TubeSpam's artefact: U+FEFF (and other invisible format
    characters) must leave the features exactly as without them, in the text and the name."""
    assert analyse("hello\ufeff") == analyse("hello")
    assert analyse("\ufeffsub\u200bscribe to my\u200e channel") == analyse(
        "subscribe to my channel"
    )
    assert analyse("hi", name="Guren\ufeff") == analyse("hi", name="Guren")
    assert "\ufeff" not in "".join(every_feature("check\ufeff it\ufeff out\ufeff"))


def test_the_text_is_cleaned_as_a_reader_sees_it():
    """Tags become spaces, entities (even escaped twice) are decoded, format characters go and
    spaces collapse: the features are those of what a reader sees."""
    assert clean_text("everyday i&amp;#39;m <b>subscribe</b>\ufeff") == "everyday i'm subscribe"
    assert clean_text("a<br>b\u200b  \n c") == "a b c"
    assert clean_text(None) == ""
    assert clean_name(" Flynn\u200d  Rider ") == "Flynn Rider"
    assert analyse("i&#39;m <i>here</i>") == analyse("i'm here")


def test_the_name_is_read_only_for_its_length_and_digits():
    """The name never becomes words: only the binned "characters/digits in the name"."""
    words, chars, meta = analyse("nice song", name="Casino Bonus 777")
    assert not any("casino" in feature or "bonus" in feature for feature in words + chars)
    assert "m:digits in the name=2" in meta  # 3 digits: the bin "3 or more"
    assert describe("m:digits in the name=2") == "digits in the name: 3 or more"


def test_features_are_described_for_editors():
    """The explanations editors read name the word, the link or the count, not codes."""
    assert describe("w:subscribe") == "the word “subscribe”"
    assert describe("b:my channel") == "the words “my channel”"
    assert describe("dom:bit.ly") == "a link to bit.ly"
    assert describe("w:urllink") == "the word “[link]”"
    assert describe("m:links=1") == "links: 1"
    assert describe("m:links=3") == "links: 3 or more"
    assert describe("m:characters=0") == "characters: under 15"


# --------------------------------------------------------------------------------------------
# Privacy: no reader's address reaches the model's vocabulary

EMAILS = ("zqxjk.vwpf@mailbox.org", "qoowy+news@yahoo.com")
IPV4 = ("203.0.113.57", "198.51.100.201")
IPV6_FULL = ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fd12:3456:789a:0001:0000:0000:0000:0abc")
PHONES = ("+44 20 7946 0958", "(555) 867-5309", "555.867.5309")
SECRET_DOMAIN_EMAIL = "jane.doe@smithfamilyqqz.com"
COMPRESSED_IPV6 = "2a02:c0de::17"
LINKED_IP = "http://192.0.2.222/offer"


def _corpus():
    """Good and spam comments that carry the addresses, each several times (the vocabulary
    keeps a feature seen in two examples, naive Bayes even one seen once)."""
    sayings = [
        ("write to me at {}, I answer every message about the talks", False),
        ("my server {} went down during the broadcast, sorry", False),
        ("call me on {} after the match", False),
        ("FREE gift cards!! contact {} now and subscribe to my channel", True),
        ("make money fast, ping {} for the link, check out my page", True),
    ]
    addresses = [
        *EMAILS,
        *IPV4,
        *IPV6_FULL,
        *PHONES,
        SECRET_DOMAIN_EMAIL,
        COMPRESSED_IPV6,
        LINKED_IP,
    ]
    examples = [
        Example(text=saying.format(address), name="Reader", is_spam=is_spam)
        for address in addresses
        for saying, is_spam in sayings
    ]
    # Some ordinary comments, so both labels have a real vocabulary too.
    return examples + subset(40, 40, seed=3)


@functools.cache
def private_model():
    return spam_model.train(_corpus())


def _vocabulary():
    return list(private_model()["features"])


def _hits(pieces):
    return sorted({f for f in _vocabulary() for piece in pieces if piece.lower() in f.lower()})


def test_the_training_set_really_contains_the_addresses():
    """The privacy tests below mean something only if the addresses were in what the model
    was trained on, and the placeholders that replace them were learnt."""
    texts = " ".join(example.text for example in _corpus())
    for address in (*EMAILS, *IPV4, *IPV6_FULL, *PHONES):
        assert address in texts
    vocabulary = set(_vocabulary())
    assert {"w:emailaddr", "w:ipaddr", "w:phonenum"} <= vocabulary


def test_no_email_address_or_its_local_part_becomes_a_feature():
    """Guards the promise in comments/spam_features.py: an email a reader typed is masked
    before words and letters are made; neither it, its local part nor its "@" is a feature."""
    pieces = [*EMAILS, "zqxjk", "vwpf", "qoowy", "@"]
    assert _hits(pieces) == []


def test_no_ipv4_address_nor_phone_number_becomes_a_feature():
    """IPv4 addresses and phone numbers (and their digit groups) never reach the vocabulary."""
    pieces = [*IPV4, "203.0", "113.57", "198.51", "7946", "0958", "867", "5309"]
    assert _hits(pieces) == []


def test_no_full_ipv6_address_becomes_a_feature():
    """An IPv6 address written out in full is masked, so none of its groups is a feature."""
    pieces = [*IPV6_FULL, "85a3", "8a2e", "7334", "fd12", "789a", "0abc"]
    assert _hits(pieces) == []


def test_the_domain_of_an_email_address_is_not_a_feature():
    """A reader's email domain (often their family's or employer's) is part of the address:
    it must not reach the vocabulary either."""
    assert _hits(["smithfamilyqqz"]) == []


def test_a_compressed_ipv6_address_is_masked_too():
    """IPv6 addresses are usually written compressed ("::"): they must be masked as well."""
    assert "w:ipaddr" in analyse(f"my address is {COMPRESSED_IPV6}")[0]
    assert _hits(["c0de", "2a02"]) == []


def test_an_ip_address_in_a_link_is_not_a_feature():
    """The vocabulary never holds an IP address, even one typed as a link's host."""
    assert _hits(["192.0.2.222", "2.222"]) == []


# --------------------------------------------------------------------------------------------
# The model: one table, JSON, scored and explained in plain Python


@functools.cache
def small_model():
    return spam_model.train(subset(150, 150))


def test_the_trained_model_is_plain_json_and_scores_the_same_after_a_round_trip():
    """The model is stored as (compressed) JSON: plain data that loads back into the same
    scorer, with a feature table of [idf, regression weight, naive Bayes weight]."""
    model = small_model()
    assert model["kind"] == spam_model.KIND
    stored = zlib.compress(json.dumps(model).encode())
    loaded = Scorer(zlib.decompress(stored))
    assert loaded.features == model["features"]
    assert all(isinstance(entry, list) and len(entry) == 3 for entry in model["features"].values())
    text = "Check out my channel and subscribe!! http://bit.ly/x1"
    assert loaded.score(text) == Scorer(model).score(text)


def test_a_model_of_another_kind_is_refused():
    """A stored model from another version of the code is not silently misread."""
    with pytest.raises(ValueError, match="z-average-v1"):
        Scorer({"kind": "something-else", "constant": 0, "features": {}})


def test_the_explanation_adds_up_to_the_score():
    """Each score explains itself exactly: the constant plus every feature's share is the
    log-odds, the explanation's score is the score, and its reasons point the right way."""
    scorer = Scorer(small_model())
    text = "Check out my channel and subscribe!! http://bit.ly/x1 free iphone"
    shares = scorer.contributions(text, "Promo 2024")
    log_odds = scorer.constant + sum(shares.values())
    assert math.isclose(log_odds, scorer.log_odds(text, "Promo 2024"))
    assert math.isclose(scorer.score(text, "Promo 2024"), 1 / (1 + math.exp(-log_odds)))
    explanation = scorer.explain(text, "Promo 2024", top=3)
    assert explanation["score"] == scorer.score(text, "Promo 2024")
    assert 1 <= len(explanation["spam"]) <= 3
    assert all(weight > 0 for _, weight in explanation["spam"])
    assert all(weight < 0 for _, weight in explanation["not spam"])


def test_the_model_separates_obvious_spam_from_an_ordinary_comment():
    """Trained on TubeSpam, an obvious channel plug scores far above a plain remark."""
    scorer = Scorer(small_model())
    spam = scorer.score("Check out my channel and subscribe!! http://bit.ly/2xYz9 Thanks guys")
    good = scorer.score("I really like this song, it reminds me of last summer")
    assert spam > 0.8
    assert good < 0.5


def test_top_features_leave_out_letter_fragments_and_point_each_way():
    """The Spam filter page's table: words, links and counts (no letter fragments), the
    spam side with positive weights, the other with negative ones."""
    top = Scorer(small_model()).top_features(10)
    assert len(top["spam"]) == len(top["not spam"]) == 10
    assert all(weight > 0 for _, weight in top["spam"])
    assert all(weight < 0 for _, weight in top["not spam"])
    assert not any(name.startswith("the letters") for name, _ in top["spam"] + top["not spam"])


HOSTILE = {
    "60,000 characters": "spam " * 12_000,
    "60,000 without a space": "x" * 60_000,
    "only emoji": "😀🔥💰🎁" * 500,
    "only tags": "<a href='http://x.com'><b><i></i></b></a>" * 1000,
    "an unclosed tag": "<" + "a" * 20_000,
    "NULs and controls": "\x00\x01 free \x00 money \x7f",
    "a lone surrogate": "bad \ud800 half",
    "combining marks": "e" + "\u0301" * 5000,
    "right-to-left override": "\u202egnos siht evol I",
    "entities all the way down": "&amp;" * 5000,
    "empty": "",
    "whitespace": " \n\t ",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_scorer_never_raises_on_hostile_input(text):
    """Whatever a bot posts, scoring it gives a score between 0 and 1 and an explanation:
    the request that scores it must never fail."""
    scorer = Scorer(small_model())
    score = scorer.score(text, name=text[:300], website="https://example.org/" + text[:50])
    assert 0.0 <= score <= 1.0
    explanation = scorer.explain(text, name=text[:300])
    assert 0.0 <= explanation["score"] <= 1.0


def test_only_the_start_of_a_very_long_comment_is_read():
    """60,000 characters are read as their first 5,000: the tail can't change the score."""
    scorer = Scorer(small_model())
    start = "I love this song. " * 400  # 7,200 characters
    assert scorer.score(start + "subscribe to my channel " * 2000) == scorer.score(start)


# --------------------------------------------------------------------------------------------
# Thresholds


def test_threshold_for_lets_through_at_most_the_allowed_share_with_the_margin():
    """threshold_for: with 100 good scores and a 4 % target, the margin of one half allows
    two good comments at or above the threshold, and the threshold sits just above the third."""
    good = [index / 100 for index in range(100)]  # 0.00 … 0.99
    threshold = spam_model.threshold_for(good, 0.04)
    assert sum(score >= threshold for score in good) == 2
    assert 0.97 < threshold <= math.nextafter(0.97, 1)
    # A target no good comment may reach: above the highest good score.
    assert spam_model.threshold_for(good, 0.0) > 0.99
    assert spam_model.threshold_for([], 0.01) == 0.0


def test_ranking_auc():
    """ROC AUC from ranks: 1 when every spam outranks every good comment, 0.5 for ties."""
    assert spam_model.ranking_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert spam_model.ranking_auc([0.1], [0.9]) == 0.0
    assert spam_model.ranking_auc([0.5, 0.5], [0.5, 0.5]) == 0.5
    assert spam_model.ranking_auc([0.9], []) == 0.0


def test_out_of_fold_scores_keep_copies_of_a_text_in_one_fold():
    """Guards the cross-validation against copies (TubeSpam has many): each text below is a
    made-up word seen nowhere else, twice (once in other case and spacing), with a random
    label. If a copy could sit in the training fold of its twin's score, the model would
    learn the word and score the twin near perfectly; grouped, it has nothing to go on."""
    rng = random.Random(7)
    letters = "bcdfghjklmnpqrstvwxz"
    examples = []
    for index in range(80):
        word = "".join(rng.choice(letters) for _ in range(9))
        is_spam = index % 2 == 0
        examples.append(Example(text=f"{word} {word[::-1]}", is_spam=is_spam))
        examples.append(Example(text=f"  {word.upper()}   {word[::-1]} ", is_spam=is_spam))
    scores = spam_model.out_of_fold_scores(examples, folds=5)
    spam = [s for s, e in zip(scores, examples, strict=True) if e.is_spam]
    good = [s for s, e in zip(scores, examples, strict=True) if not e.is_spam]
    assert spam_model.ranking_auc(spam, good) < 0.75
    # Whereas a model that has seen the twins tells them apart at once.
    seen = Scorer(spam_model.train(examples))
    assert (
        spam_model.ranking_auc(
            [seen.score(e.text) for e in examples if e.is_spam],
            [seen.score(e.text) for e in examples if not e.is_spam],
        )
        > 0.95
    )


def test_evaluate_keeps_false_spam_within_the_setting_and_stricter_means_higher():
    """On real TubeSpam data the chosen spam threshold sends at most
    COMMENTS_FILTER_MAX_FALSE_SPAM of good comments (out of fold) to spam; a stricter setting
    never lowers the threshold; the hold threshold is never above the spam threshold."""
    examples = subset(400, 120, seed=1)
    usual = spam_model.evaluate(examples, 0.01, folds=5)
    strict = spam_model.evaluate(examples, 0.002, folds=5)
    assert usual.false_spam <= 0.01
    assert strict.false_spam <= 0.002
    assert strict.spam_threshold >= usual.spam_threshold
    assert usual.hold_threshold <= usual.spam_threshold
    assert strict.hold_threshold <= strict.spam_threshold
    # It is a real filter on this data, not a threshold nothing reaches.
    assert usual.auc > 0.95
    assert usual.recall > 0.7
    assert 0.0 < usual.spam_threshold < 1.0
