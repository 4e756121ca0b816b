"""Installable on a phone (issue 21): a web app manifest and icons, so the tracker opens from the 政务 app's
workbench or a home screen; no service worker, so no private page is ever cached on the device."""
from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image

STATIC = Path(__file__).resolve().parents[2] / "tracker" / "static"


def test_every_page_links_the_manifest_and_the_manifest_is_served_as_one(client):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="manifest" href="([^"]+)"', page).group(1)
    response = client.get(href)
    manifest = json.loads(response.get_data(as_text=True))
    response.close()
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    assert (manifest["name"], manifest["lang"], manifest["start_url"], manifest["display"]) == (
        "督办看板", "zh-CN", "/", "standalone")


def test_the_manifests_icons_exist_at_their_declared_sizes():
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert {icon.get("purpose", "any") for icon in manifest["icons"]} == {"any", "maskable"}
    for icon in manifest["icons"]:
        with Image.open(STATIC / Path(icon["src"]).name) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]


def test_no_service_worker_caches_private_pages():
    scripts = [path.read_text(encoding="utf-8") for path in STATIC.rglob("*.js")]
    assert not any("serviceWorker" in script for script in scripts)
    assert "serviceworker" not in (STATIC / "manifest.webmanifest").read_text(encoding="utf-8").lower()
