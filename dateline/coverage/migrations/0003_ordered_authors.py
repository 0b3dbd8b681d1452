"""Bylines keep the order the newsroom gave: the plain many-to-many table gains a ``position`` column.

The table and its rows stay as they are (existing bylines keep position 0 and sort by insertion); only Django's idea
of the model changes, to an explicit through model over the same table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0002_teams_and_scheduled_posts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE coverage_post_authors ADD COLUMN position smallint NOT NULL DEFAULT 0",
                    reverse_sql="ALTER TABLE coverage_post_authors DROP COLUMN position",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="PostAuthor",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        ("post", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="coverage.post")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "coverage_post_authors",
                        "ordering": ["position"],
                        "unique_together": {("post", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="post",
                    name="authors",
                    field=models.ManyToManyField(blank=True, related_name="posts", through="coverage.PostAuthor",
                                                 to=settings.AUTH_USER_MODEL),
                ),
            ],
        ),
    ]
