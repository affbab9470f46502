"""The session cookie of the web client: ``SameSite=Lax`` always, ``Secure`` when the request came over HTTPS
(issue 11 item 9).

Odoo 11 sets ``session_id`` in ``odoo.http.Root.get_response`` with ``HttpOnly`` only (its Werkzeug 0.11 knows no
SameSite). Over HTTPS, directly or behind the reverse proxy (``proxy_mode`` and ``X-Forwarded-Proto: https``), the
cookie must not travel over plain HTTP; SameSite keeps other sites' forms from using the session.
"""
from odoo import http
from odoo.tools import config


def is_https(httprequest):
    """Whether the request came over HTTPS: to Odoo itself, or to the proxy in front of it (``proxy_mode``)."""
    if httprequest.scheme == 'https':
        return True
    forwarded = (httprequest.headers.get('X-Forwarded-Proto') or '').split(',')[0].strip().lower()
    return bool(config.get('proxy_mode')) and forwarded == 'https'


def harden_cookie(header, https):
    """A ``Set-Cookie`` value of the session with ``SameSite=Lax`` (and ``Secure`` over HTTPS) added."""
    if not header.startswith('session_id='):
        return header
    lower = header.lower()
    if https and '; secure' not in lower:
        header += '; Secure'
    if 'samesite=' not in lower:
        header += '; SameSite=Lax'
    return header


def _get_response(self, httprequest, result, explicit_session):
    response = _get_response.original(self, httprequest, result, explicit_session)
    headers = getattr(response, 'headers', None)
    if headers is not None and headers.get('Set-Cookie'):
        https = is_https(httprequest)
        cookies = [harden_cookie(value, https) for value in headers.getlist('Set-Cookie')]
        headers.remove('Set-Cookie')
        for value in cookies:
            headers.add('Set-Cookie', value)
    return response


if not getattr(http.Root.get_response, 'neopro_hardened', False):
    _get_response.original = http.Root.get_response
    _get_response.neopro_hardened = True
    http.Root.get_response = _get_response
