"""One error shape for the API, in Chinese by default and English on request; HTML pages keep HTML errors."""
from __future__ import annotations

from collections.abc import Callable

from tests.api.api_helpers import ApiClient, assert_error
from flask import Flask

from tracker.models import User


def test_errors_are_in_chinese_by_default_and_english_when_asked(api_as: Callable[..., ApiClient]) -> None:
    client = api_as(None)
    assert "令牌" in assert_error(client.get("/me"), 401)["message"]
    english = assert_error(client.get("/me", headers={"Accept-Language": "en"}), 401)
    assert "token" in english["message"]


def test_an_unknown_api_path_is_a_json_404(api_as: Callable[..., ApiClient], office: User) -> None:
    assert_error(api_as(office).get("/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_a_json_405_that_keeps_allow(api_as: Callable[..., ApiClient], office: User) -> None:
    response = api_as(office).open("PUT", "/me")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_html_pages_keep_html_error_pages(app: Flask) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_validation_errors_name_each_field(api_as: Callable[..., ApiClient], office: User) -> None:
    body = assert_error(api_as(office).post("/tokens", json={"nmae": "x"}), 422, "validation_error")
    assert body["errors"] == {"name": ["必填字段"], "nmae": ["未知字段"]}


def test_the_openapi_document_lists_every_error_response(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message", "status"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "405", "422"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch") and "/tokens" not in path and path != "/api/v1/items":
                assert "403" in codes, (method, path)


def test_an_unknown_query_parameter_is_refused_like_an_unknown_field(api_as: Callable[..., ApiClient],
                                                                     office: User) -> None:
    body = assert_error(api_as(office).get("/items?staus=done"), 422, "validation_error")
    assert body["errors"] == {"staus": ["未知字段"]}
