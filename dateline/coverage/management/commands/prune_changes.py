from django.core.management.base import BaseCommand

from dateline.coverage.retention import prune_changes


class Command(BaseCommand):
    help = "Delete changes past retention (DATELINE_CHANGE_RETENTION_COUNT / _HOURS); readers before them get reset."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"Deleted {prune_changes()} change(s) past retention.")
