"""At most DATELINE_IMAGE_DECODE_CONCURRENCY images are decoded at once; a request that waits too long gets 503.

Issue 11 item 10: four concurrent 40-megapixel uploads peaked at 1.6 GB. The peak RSS itself is measured by
bench/abuse; here the bound is proven with a slow decode that records how many run at once.
"""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from dateline.coverage import actions, images
from tests.api.conftest import assert_error


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (1, 2, 3)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class SlowDecode:
    """``images.decode_upright`` that takes a while and records the most calls in progress at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.most = 0
        self.real = images.decode_upright

    def __call__(self, image: Image.Image) -> Image.Image:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            time.sleep(0.05)  # long enough for every other upload to arrive while this one decodes
            return self.real(image)
        finally:
            with self.lock:
                self.active -= 1


@pytest.mark.parametrize("bound", [1, 2])
def test_concurrent_uploads_decode_at_most_the_bound_at_once(transactional_db, reporter, settings, monkeypatch,
                                                             bound):
    settings.DATELINE_IMAGE_DECODE_CONCURRENCY = bound
    settings.DATELINE_IMAGE_DECODE_WAIT = 60
    slow = SlowDecode()
    monkeypatch.setattr(images, "decode_upright", slow)

    def upload(i: int) -> int:
        try:
            return actions.upload_image(reporter, _jpeg(f"p{i}.jpg")).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(upload, range(6)))
    assert len(set(ids)) == 6  # every upload was stored: waiting is not failing
    assert slow.most == bound


def test_an_upload_that_cannot_get_a_decode_slot_in_time_is_503_with_retry_after(tokens, settings):
    settings.DATELINE_IMAGE_DECODE_CONCURRENCY = 1
    settings.DATELINE_IMAGE_DECODE_WAIT = 0.01
    held = images._SLOTS.semaphore()
    assert held.acquire(blocking=False)  # another upload is being decoded
    try:
        response = Client().post("/api/v1/media", {"file": _jpeg()},
                                 headers={"Authorization": f"Bearer {tokens['reporter']}"})
    finally:
        held.release()
    assert_error(response, 503, "busy")
    assert int(response["Retry-After"]) >= 1
    response = Client().post("/api/v1/media", {"file": _jpeg()},
                             headers={"Authorization": f"Bearer {tokens['reporter']}"})
    assert response.status_code == 201  # the slot is free again: the next upload goes through
