from django.core.management.base import BaseCommand

from dateline.coverage.mediafiles import rebuild


class Command(BaseCommand):
    help = ("Make DATELINE_MEDIA_PUBLIC_ROOT hold exactly the files of public media (published or lead media): "
            "after an upgrade or a restore.")

    def handle(self, *args: object, **options: object) -> None:
        public, removed = rebuild()
        self.stdout.write(f"{public} public image(s) linked; {removed} file(s) no longer public removed.")
