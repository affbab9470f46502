import json
import logging
import random
import time

import psycopg2
from lxml import etree

from odoo import http
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

_logger = logging.getLogger(__name__)
# Tries of a call whose transaction met a parallel one on the same account (serialization failure, deadlock).
MAX_TRIES = 5


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
        status, answer, log = self._process_with_retry(params, request.httprequest.remote_addr, secret)
        body, content_type = self._render(answer, want_json)
        log.response = body
        response = request.make_response(body, headers=[('Content-Type', content_type)])
        response.status_code = status
        return response

    def _process_with_retry(self, params, remote_addr, secret):
        """Process the call; run its transaction again when a parallel call on the same account made it fail.

        Two payments to one account update the same balance rows: PostgreSQL lets one of two simultaneous
        transactions fail (repeatable read) and the call must then run again from the start, on a new snapshot,
        not answer "Internal error". After MAX_TRIES the last try answers result 5 and is logged.
        """
        for attempt in range(1, MAX_TRIES + 1):
            logs = request.env['neopro.kaspi.log'].sudo()
            try:
                return logs._process_call(dict(params), remote_addr, secret, retry=attempt < MAX_TRIES)
            except psycopg2.OperationalError as exc:
                if exc.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                _logger.info('Kaspi call %s met a parallel call (%s), try %d of %d', params.get('txn_id'),
                             exc.pgcode, attempt, MAX_TRIES)
                request.env.cr.rollback()
                request.env.clear()
                time.sleep(random.uniform(0.05, 0.25) * attempt)

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
        extra = answer.get('fields') or []
        if want_json:
            result = dict(values)
            if extra:
                result['fields'] = [{'name': name, 'value': value} for name, value in extra]
            return json.dumps(result, ensure_ascii=False), 'application/json; charset=utf-8'
        root = etree.Element('response')
        for tag, value in values:
            etree.SubElement(root, tag).text = '' if value is None else str(value)
        if extra:  # <fields><field1 name="fio">…</field1><field2 name="address">…</field2></fields>
            parent = etree.SubElement(root, 'fields')
            for number, (name, value) in enumerate(extra, 1):
                etree.SubElement(parent, 'field%d' % number, name=name).text = value or ''
        body = etree.tostring(root, xml_declaration=True, encoding='UTF-8').decode('utf-8')
        return body, 'text/xml; charset=utf-8'
