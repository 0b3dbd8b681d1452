from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.coverage import actions


def test_a_page_of_posts_costs_a_fixed_number_of_queries(client, blog, reporter):
    """Listing 20 posts does not query per post (authors and media are prefetched for the page)."""
    for i in range(30):
        actions.create_post(reporter, blog, headline=f"p{i}", body="<p>x</p>")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/blogs/{blog.slug}/posts?limit=20")
    assert response.status_code == 200 and len(response.json()["items"]) == 20
    assert len(ctx.captured_queries) <= 6
