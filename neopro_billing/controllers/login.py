from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.main import Home

# The language of the pages a user sees before logging in: the billing is used in Russian.
LOGIN_LANG = 'ru_RU'


class NeoproHome(Home):
    """The login page in Russian whatever the browser asks for (the web client follows the user's language)."""

    @http.route()
    def web_login(self, redirect=None, **kw):
        if request.env['res.lang'].sudo().search_count([('code', '=', LOGIN_LANG)]):
            request.session.context = dict(request.session.context or {}, lang=LOGIN_LANG)
            request.context = dict(request.context, lang=LOGIN_LANG)
        return super(NeoproHome, self).web_login(redirect=redirect, **kw)
