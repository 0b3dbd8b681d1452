from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "dateline.reader"
    label = "reader"
