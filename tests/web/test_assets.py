"""What the pages cost to fetch: versioned static files kept for a year, htmx of our own, gzip above a size."""
from __future__ import annotations

import gzip
import re

YEAR = 365 * 24 * 3600


def test_static_files_are_linked_by_content_hash_and_kept_for_a_year(sign_in, people):
    client = sign_in(people["office"])
    html = client.get("/board").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"', html)
    assert {path for path, _hash in links} >= {"/static/app.css", "/static/app.js", "/static/vendor/htmx-2.0.3.min.js"}
    path, version = links[0]
    with client.get(f"{path}?v={version}") as response:
        assert response.status_code == 200
        assert response.cache_control.max_age == YEAR and response.cache_control.immutable


def test_htmx_2_0_3_is_a_static_file_of_ours_with_its_licence(client):
    with client.get("/static/vendor/htmx-2.0.3.min.js") as script, \
            client.get("/static/vendor/htmx-LICENSE.txt") as licence:
        assert 'version:"2.0.3"' in script.get_data(as_text=True)
        assert "Zero-Clause BSD" in licence.get_data(as_text=True)
    assert client.get("/vendor/htmx/htmx.min.js").status_code == 404  # no longer served from a package


def test_a_page_is_gzipped_for_a_browser_that_accepts_it_and_plain_for_one_that_does_not(sign_in, people):
    client = sign_in(people["office"])
    plain = client.get("/board")
    packed = client.get("/board", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) * 4 < len(plain.get_data())


def test_small_answers_and_files_are_sent_as_they_are(client):
    login = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert login.status_code == 200 and len(login.get_data()) > 1024 and login.headers["Content-Encoding"] == "gzip"
    with client.get("/static/app.js", headers={"Accept-Encoding": "gzip"}) as script:
        assert "Content-Encoding" not in script.headers  # a file response: a proxy may compress it
    tiny = client.get("/api/v1/me", headers={"Accept-Encoding": "gzip"})  # a short 401 in JSON
    assert tiny.status_code == 401 and "Content-Encoding" not in tiny.headers
