# AuditEntry moved to dateline.audit and IdempotencyRecord to dateline.api; their tables stay (state only).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("coverage", "0008_post_scheduled_by"),
        ("audit", "0001_initial"),
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry"), migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
