"""The map page's two languages: the message tables agree, every code the API
(and the auth service behind /auth/*) can answer and every stage, state,
category and evidence source the page shows has a message in both, every key
the page names exists, and the server picks the language of the first paint."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI

import pind_auth.errors
import pind_auth.security.policy
import pind_gateway
from pind_contracts import EvidenceSource, PlaceCategory
from pind_gateway.domain.progress import JOB_STATES, STAGES
from pind_gateway.settings import GatewaySettings
from pind_gateway.web.endpoints import STATIC_DIR, mount_web
from pind_gateway.web.i18n import choose_language, load_messages, render_page

MESSAGES = load_messages(STATIC_DIR / "i18n")


def _subclasses(cls: Any) -> set[Any]:
    found: set[Any] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _string_calls(module: object, function: str) -> set[str]:
    """The string literals passed first to ``function(...)`` in ``module``'s source."""
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == function
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def gateway_errors_module() -> ModuleType:
    """The module that defines GatewayError and the error handlers, wherever it lives:
    every module is imported, so that a GatewayError of any feature folder is seen."""
    for module in pkgutil.walk_packages(pind_gateway.__path__, "pind_gateway."):
        if not module.name.endswith(("__main__", "fuzz", "fuzz_hooks", "bench")):
            importlib.import_module(module.name)
    defining = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("pind_gateway.")
        and module is not None
        and isinstance(getattr(module, "GatewayError", None), type)
        and module.GatewayError.__module__ == module.__name__
    ]
    assert len(defining) == 1, defining
    return defining[0]


def gateway_error_codes() -> set[str]:
    errors = gateway_errors_module()
    codes = {cls.code for cls in _subclasses(errors.GatewayError)}
    codes.add(errors.GatewayError.code)
    # The handlers' own codes: error_body("...")...
    codes |= _string_calls(errors, "error_body")
    # ...and the status-to-code table: {404: "not_found", ...}.get(status, "http_error").
    tree = ast.parse(inspect.getsource(errors))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Dict)
        ):
            table = node.func.value
            codes |= {v.value for v in table.values if isinstance(v, ast.Constant)}
            codes |= {a.value for a in node.args[1:] if isinstance(a, ast.Constant)}
    return {code for code in codes if isinstance(code, str)}


def auth_error_codes() -> set[str]:
    codes = {cls.code for cls in _subclasses(pind_auth.errors.AuthError)}
    codes.add(pind_auth.errors.AuthError.code)
    codes |= _string_calls(pind_auth.security.policy, "PolicyViolation")  # weak_password's codes
    codes.add("validation_error")  # pind_auth.app's handler of invalid requests
    return codes


def test_the_two_tables_have_the_same_keys_and_no_empty_message() -> None:
    assert set(MESSAGES["ko"]) == set(MESSAGES["en"])
    for language, table in MESSAGES.items():
        assert all(text.strip() for text in table.values()), language
        # The same placeholders in both languages, so no value goes missing.
    for key, english in MESSAGES["en"].items():
        placeholders = set(re.findall(r"\{(\w+)\}", english))
        assert set(re.findall(r"\{(\w+)\}", MESSAGES["ko"][key])) == placeholders, key


def test_the_code_scan_finds_the_codes_it_should() -> None:
    gateway = gateway_error_codes()
    assert {"invalid_url", "rate_limited", "invalid_request", "not_found", "internal"} <= gateway
    assert {"method_not_allowed", "http_error", "job_not_found"} <= gateway
    auth = auth_error_codes()
    assert {"invalid_credentials", "too_many_attempts", "password_too_short"} <= auth


@pytest.mark.parametrize("source", ["gateway", "auth"])
def test_every_error_code_has_a_message_in_both_languages(source: str) -> None:
    codes = gateway_error_codes() if source == "gateway" else auth_error_codes()
    for language, table in MESSAGES.items():
        missing = sorted(code for code in codes if f"error.{code}" not in table)
        assert missing == [], f"{language}.json has no message for {missing}"


def test_every_stage_state_category_and_source_has_a_message() -> None:
    wanted = (
        [f"stage.{name}" for name in STAGES]
        + [f"state.{name}" for name in JOB_STATES]
        + [f"category.{name}" for name in get_args(PlaceCategory)]
        + [f"source.{name}" for name in get_args(EvidenceSource)]
    )
    for language, table in MESSAGES.items():
        assert [key for key in wanted if key not in table] == [], language


def test_every_key_the_page_names_exists() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    named = set(re.findall(r"\{\{([a-z0-9_.]+)\}\}", html))
    named |= set(re.findall(r'data-i18n="([a-z0-9_.]+)"', html))
    named |= {
        key
        for pair in re.findall(r'data-i18n-attr="([^"]+)"', html)
        for key in [part.split("=")[1] for part in pair.split(";")]
    }
    named |= set(re.findall(r'\bt\("([a-z0-9_.]+)"', script))
    named |= set(re.findall(r'key: "([a-z0-9_.]+)"', script))
    assert len(named) > 40
    assert sorted(named - set(MESSAGES["en"])) == []
    # Keys built at run time: their prefixes are the ones checked above.
    prefixes = set(re.findall(r"t\(`([a-z]+)\.\$\{", script))
    assert prefixes <= {"stage", "state", "category", "source", "error", "lang"}


@pytest.mark.parametrize(
    ("accept_language", "cookie", "expected"),
    [
        ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", None, "ko"),
        ("en-US,en;q=0.9,ko;q=0.8", None, "en"),
        ("ja-JP,ja;q=0.9,ko;q=0.5", None, "ko"),
        ("fr-FR, en;q=0.2, ko;q=0.4", None, "ko"),  # by q-value, not position
        ("ko;q=0, en", None, "en"),  # q=0: not acceptable
        ("de, fr", None, "en"),
        ("", None, "en"),
        (None, None, "en"),
        ("*", None, "en"),
        ("ko;q=abc, en;q=0.1", None, "en"),  # a malformed entry is skipped
        ("en-US", "ko", "ko"),  # the switch's cookie wins
        ("ko", "fr", "ko"),  # an unknown cookie value does not
    ],
)
def test_the_language_is_chosen_from_the_cookie_then_accept_language(
    accept_language: str | None, cookie: str | None, expected: str
) -> None:
    assert choose_language(accept_language, cookie) == expected


def test_the_page_is_rendered_escaped_with_both_tables_inlined() -> None:
    template = '<html lang="{{@lang}}"><p>{{x.y}}</p><b>{{@other_name}}</b>{{@messages}}'
    messages = {
        "en": {"x.y": "a <b> & c", "lang.en": "English", "lang.ko": "한국어"},
        "ko": {"x.y": "가", "lang.en": "English", "lang.ko": "한국어"},
    }
    page = render_page(template, "en", messages, {"tile_url": ""})  # type: ignore[arg-type]
    assert page.startswith('<html lang="en"><p>a &lt;b&gt; &amp; c</p><b>한국어</b>')
    assert "</script" not in page.split("</b>", 1)[1].lower().replace("\\u003c", "")
    with pytest.raises(KeyError, match="nope"):
        render_page("{{nope}}", "en", messages, {})  # type: ignore[arg-type]


def test_tables_that_differ_are_refused(tmp_path: Path) -> None:
    (tmp_path / "en.json").write_text(json.dumps({"a": "A", "b": "B"}), encoding="utf-8")
    (tmp_path / "ko.json").write_text(json.dumps({"a": "가"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"only in en.json: \['b'\]"):
        load_messages(tmp_path)


@pytest.fixture
async def page_client(settings: GatewaySettings) -> httpx.AsyncClient:
    app = FastAPI()
    mount_web(app, settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://page")


async def test_the_first_paint_is_in_the_readers_language(page_client: httpx.AsyncClient) -> None:
    async with page_client as http:
        korean = await http.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"})
        english = await http.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
        switched = await http.get(
            "/", headers={"Accept-Language": "en-GB", "Cookie": "pind_lang=ko"}
        )
    assert korean.status_code == 200
    assert '<html lang="ko">' in korean.text
    assert '<title data-i18n="page.title">pind — 영상 속 장소를 지도로</title>' in korean.text
    assert ">장소 찾기<" in korean.text and ">English</button>" in korean.text
    assert korean.headers["content-language"] == "ko"
    assert "Accept-Language" in korean.headers["vary"]
    assert '<html lang="en">' in english.text and ">Find places<" in english.text
    assert ">한국어</button>" in english.text
    assert '<html lang="ko">' in switched.text
    for page in (korean.text, english.text):
        assert "{{" not in page
        inlined = re.search(r'id="pind-messages" type="application/json">(.*?)</script>', page)
        assert inlined is not None
        assert json.loads(inlined.group(1)) == MESSAGES
