"""Item 7 (deployment hardening): check --deploy, HSTS, CSP without inline code, cookies, error pages."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.conftest import signed_in

SRC = Path(__file__).resolve().parents[2] / "src" / "dangjian"


def _production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    env.update(DANGJIAN_HTTPS="1", DANGJIAN_SECRET_KEY=secrets.token_urlsafe(60), DANGJIAN_DEBUG="0",
               DANGJIAN_DATA_DIR=str(tmp_path / "data"), DANGJIAN_ALLOWED_HOSTS="dangjian.example.gov.cn",
               DANGJIAN_KEYRING_FILE=str(tmp_path / "keys" / "keyring.json"),  # apart from the database
               DJANGO_SETTINGS_MODULE="dangjian.settings")
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    return env


def test_production_settings_pass_check_deploy_at_warning_level(tmp_path):
    result = subprocess.run([sys.executable, "-m", "dangjian.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=_production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_hsts_preload_and_secure_cookies(tmp_path):
    code = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
            " for k in ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
            "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
            "'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'DEBUG', 'SECURE_PROXY_SSL_HEADER']}))")
    out = subprocess.run([sys.executable, "-c", code], env=_production_env(tmp_path), capture_output=True, text=True,
                         timeout=60, check=True).stdout
    values = json.loads(out.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"] and values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict") and values["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["DEBUG"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True,
                   SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_an_https_response_carries_hsts_and_secure_httponly_cookies(demo):
    from tests.conftest import PASSWORD

    client = Client()
    page = client.get("/accounts/login/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    response = client.post("/accounts/login/", {"username": "dangwu", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["secure"]


def test_every_response_has_the_security_headers(demo):
    anonymous = Client().get("/accounts/login/")
    csp = anonymous["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'self'" in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert anonymous["X-Frame-Options"] == "DENY"
    assert anonymous["X-Content-Type-Options"] == "nosniff"
    assert anonymous["Referrer-Policy"] == "same-origin"
    assert anonymous["Cross-Origin-Opener-Policy"] == "same-origin"
    page = signed_in(demo["users"]["dangwu"]).get("/people/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"


_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
_EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_no_template_has_inline_script_style_handlers_or_external_assets():
    templates = sorted(SRC.rglob("templates/**/*.html"))
    assert len(templates) > 10
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for name, pattern in (("inline <script>", _INLINE_SCRIPT), ("style", _INLINE_STYLE),
                              ("on…= handler", _EVENT_HANDLER), ("external asset", _EXTERNAL)):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(SRC)}: {name}")
    assert not offenders, offenders


@pytest.mark.parametrize("url,status,title", [
    ("/boom/", 500, "系统繁忙"),
    ("/forbidden/", 403, "无权"),
    ("/no-such-page/", 404, "不存在"),
    ("/suspicious/", 400, "请求有误"),
])
@override_settings(ROOT_URLCONF="tests.security.urls_errors", DEBUG=False, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_error_pages_are_generic_chinese_pages_without_a_trace(demo, url, status, title):
    response = signed_in(demo["users"]["dangwu"], raise_request_exception=False).get(url)
    body = response.content.decode()
    assert response.status_code == status
    assert title in body and '<html lang="zh' in body
    for leak in ("Traceback", "SECRET-TRACE", "秘密的内部细节", "File \"", "django.", "RuntimeError"):
        assert leak not in body


@override_settings(DEBUG=False)
def test_a_refused_form_token_gets_the_chinese_403_page(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "dangwu", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "表单令牌无效" in body and "CSRF verification" not in body


def test_a_tampered_session_cookie_is_treated_as_signed_out(demo):
    client = signed_in(demo["users"]["dangwu"])
    client.cookies["sessionid"] = client.cookies["sessionid"].value[:-2] + "zz"
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    forged = Client()
    forged.cookies["sessionid"] = "' OR 1=1 --<script>"
    assert forged.get("/people/").status_code == 302
