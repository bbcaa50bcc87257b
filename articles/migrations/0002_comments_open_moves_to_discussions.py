"""Whether an article takes comments is now its discussion's (the comments app's Discussion,
whose migration copies each article's switch before this one runs). The articles app still
knows nothing of comments: the order is the comments migration's to say (its run_before)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RemoveField(model_name="article", name="comments_open")]
