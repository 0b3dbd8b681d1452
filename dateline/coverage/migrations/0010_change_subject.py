# Compaction (issue 11): each change names its subject, and the retained log is compacted once, so that what was
# deleted or edited away before this release leaves /changes and SSE replay too.

import json

from django.db import migrations, models


def compact_existing(apps, schema_editor):
    from dateline.events import compacted, rewritten_subjects, subject

    Change = apps.get_model("coverage", "Change")
    for blog_id in Change.objects.values_list("blog_id", flat=True).distinct():
        rows = list(Change.objects.filter(blog_id=blog_id).order_by("seq"))
        datas = [json.loads(row.data) for row in rows]
        by_subject: dict[str, list[int]] = {}
        for i, data in enumerate(datas):
            for name in rewritten_subjects(data):
                for j in by_subject.get(name, []):
                    datas[j] = compacted(datas[j], data) or datas[j]
            by_subject.setdefault(subject(data), []).append(i)
        for row, data in zip(rows, datas, strict=True):
            row.subject = subject(data)
            row.type = data["type"]
            row.data = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        Change.objects.bulk_update(rows, ["subject", "type", "data"], batch_size=200)


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0009_audit_and_idempotency_moved'),
    ]

    operations = [
        migrations.AddField(
            model_name='change',
            name='subject',
            field=models.CharField(default='', max_length=40),
        ),
        migrations.AddIndex(
            model_name='change',
            index=models.Index(fields=['blog', 'subject', 'seq'], name='coverage_change_subject_idx'),
        ),
        migrations.RunPython(compact_existing, migrations.RunPython.noop),
    ]
