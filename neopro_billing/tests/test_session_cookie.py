"""The session cookie: SameSite=Lax always, Secure when the request came over HTTPS (issue 11 item 9)."""
from unittest.mock import patch

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from odoo.tests.common import SavepointCase

from ..controllers import session_cookie

COOKIE = 'session_id=abc; Expires=Tue, 02-Mar-2027 00:43:34 GMT; Max-Age=7776000; HttpOnly; Path=/'


def _request(url='http://billing.example/web/login', headers=None):
    return Request(EnvironBuilder(base_url=url, headers=headers or {}).get_environ())


class TestSessionCookie(SavepointCase):

    def test_https_request(self):
        self.assertTrue(session_cookie.is_https(_request('https://billing.example/web/login')))

    def test_plain_http(self):
        self.assertFalse(session_cookie.is_https(_request()))

    def test_forwarded_proto_trusted_only_in_proxy_mode(self):
        forwarded = _request(headers={'X-Forwarded-Proto': 'https'})
        with patch.dict(session_cookie.config.options, {'proxy_mode': False}):
            self.assertFalse(session_cookie.is_https(forwarded))
        with patch.dict(session_cookie.config.options, {'proxy_mode': True}):
            self.assertTrue(session_cookie.is_https(forwarded))
            self.assertFalse(session_cookie.is_https(_request(headers={'X-Forwarded-Proto': 'http'})))

    def test_cookie_hardened(self):
        self.assertEqual(session_cookie.harden_cookie(COOKIE, https=True), COOKIE + '; Secure; SameSite=Lax')
        self.assertEqual(session_cookie.harden_cookie(COOKIE, https=False), COOKIE + '; SameSite=Lax')
        self.assertEqual(session_cookie.harden_cookie('other=1; Path=/', https=True), 'other=1; Path=/')
        hardened = COOKIE + '; Secure; SameSite=Lax'
        self.assertEqual(session_cookie.harden_cookie(hardened, https=True), hardened)
