from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.coverage import actions


def test_a_page_of_posts_costs_a_fixed_number_of_queries(client, blog, reporter):
    """Listing 20 posts does not query per post (authors and media are prefetched for the page).

    Seven: the blog's seq, read first for the edge's page cache (``edgecache.api_read``), then the blog, the page
    of posts and its prefetches. The same 7 for 20 posts as for 2: none per post."""
    for i in range(30):
        actions.create_post(reporter, blog, headline=f"p{i}", body="<p>x</p>")
    counts = []
    for limit in (2, 20):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/blogs/{blog.slug}/posts?limit={limit}")
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 7
    assert "seq" in ctx.captured_queries[0]["sql"]  # the seq is read before the content
