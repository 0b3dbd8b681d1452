from django.urls import include, path

from dateline.api.urls import api
from dateline.health import healthz
from dateline.reader.media import serve_media

handler500 = "dateline.health.server_error"  # an exhausted connection pool is 503 with Retry-After, not 500

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("newsroom/", include("dateline.newsroom.urls")),
    # Not a static directory: unpublished uploads are not public (reader/media.py, coverage/mediafiles.py).
    path("media/<path:name>", serve_media, name="media"),
    path("", include("dateline.reader.urls")),
]
