"""The trail's reasons no longer repeat the rule's name ("links: links: 3 links" read twice
wherever both were shown): the rule has its own column. Strips "<rule>: " from the reasons of
rules' events written before. Data only; no table changes. Reversed, it puts the prefix back
on the events that lack it."""

from django.db import migrations
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat, Length, Substr


def strip_rule(apps, schema_editor):
    ModerationEvent = apps.get_model("comments", "ModerationEvent")
    prefixed = ModerationEvent.objects.exclude(rule="").filter(
        reason__startswith=Concat(F("rule"), Value(": "), output_field=TextField())
    )
    prefixed.update(reason=Substr("reason", Length("rule") + 3))


def prefix_rule(apps, schema_editor):
    ModerationEvent = apps.get_model("comments", "ModerationEvent")
    bare = ModerationEvent.objects.exclude(rule="").exclude(reason="")
    bare = bare.exclude(reason__startswith=Concat(F("rule"), Value(": "), output_field=TextField()))
    bare.update(reason=Concat(F("rule"), Value(": "), F("reason"), output_field=TextField()))


class Migration(migrations.Migration):
    dependencies = [("comments", "0014_personal_data")]

    operations = [migrations.RunPython(strip_rule, prefix_rule, elidable=True)]
