import json

from lxml import etree

from odoo import http
from odoo.http import request


class KaspiController(http.Controller):
    """Online payments from Kaspi (RULES §7): ``?command=check|pay&txn_id=…&account=…&sum=…&txn_date=…``.

    Answers XML (``<response>…</response>``) or JSON with ``format=json`` or an ``Accept: application/json``
    header. Access: the secret (``secret`` parameter or ``X-Neopro-Secret`` header) and the IP allow-list set
    in the billing settings. The database is the one the server's ``dbfilter`` selects.
    """

    @http.route('/neopro/kaspi', type='http', auth='none', methods=['GET', 'POST'], csrf=False)
    def kaspi(self, **params):
        secret = params.pop('secret', None) or request.httprequest.headers.get('X-Neopro-Secret')
        want_json = params.pop('format', '') == 'json' or \
            'application/json' in (request.httprequest.headers.get('Accept') or '')
        # auth='none' gives no user: the gateway is trusted through the secret and the IP allow-list checked
        # in _process_call, which then books the payment as the superuser.
        logs = request.env['neopro.kaspi.log'].sudo()
        status, answer, log = logs._process_call(params, request.httprequest.remote_addr, secret)
        body, content_type = self._render(answer, want_json)
        log.response = body
        response = request.make_response(body, headers=[('Content-Type', content_type)])
        response.status_code = status
        return response

    def _render(self, answer, want_json):
        """The answer as (body, content type). ``prv_txn`` is the element name of Kaspi's protocol,
        ``prv_txn_id`` the one of our specification: both carry the id of the booked payment."""
        values = [
            ('txn_id', answer['txn_id']),
            ('prv_txn', answer['prv_txn_id']),
            ('prv_txn_id', answer['prv_txn_id']),
            ('sum', answer['sum']),
            ('result', answer['result']),
            ('comment', answer['comment']),
        ]
        if answer.get('fio'):
            values.append(('fio', answer['fio']))
        if want_json:
            return json.dumps(dict(values), ensure_ascii=False), 'application/json; charset=utf-8'
        root = etree.Element('response')
        for tag, value in values:
            etree.SubElement(root, tag).text = '' if value is None else str(value)
        body = etree.tostring(root, xml_declaration=True, encoding='UTF-8').decode('utf-8')
        return body, 'text/xml; charset=utf-8'
