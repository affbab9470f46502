import hmac
import ipaddress
import logging
import time
from datetime import datetime
from decimal import Decimal

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..lib import payment_parser
from .neopro_guard_mixin import local_today

_logger = logging.getLogger(__name__)

# Result codes of the Kaspi / QIWI-style biller protocol (RULES §7).
RESULT_OK = 0
RESULT_ACCOUNT_NOT_FOUND = 1
RESULT_ALREADY_PAID = 3
RESULT_OTHER_ERROR = 5
RESULTS = [
    (RESULT_OK, 'OK'),
    (RESULT_ACCOUNT_NOT_FOUND, 'Account not found'),
    (RESULT_ALREADY_PAID, 'Already paid'),
    (RESULT_OTHER_ERROR, 'Other error'),
]
# Calls are logged with at most this many characters of their request, and kept this many days (parameter).
REQUEST_EXCERPT = 2000
PARAM_LOG_DAYS = 'neopro_billing.kaspi_log_days'
PARAM_SECRET = 'neopro_billing.kaspi_secret'
PARAM_ALLOWED_IPS = 'neopro_billing.kaspi_allowed_ips'
PARAM_BANK = 'neopro_billing.kaspi_bank_id'


class KaspiAnswer(Exception):
    """Stop processing a call and answer it with ``result`` and ``comment``."""

    def __init__(self, result, comment, status=200):
        super(KaspiAnswer, self).__init__(result, comment)
        self.result = result
        self.comment = comment
        self.status = status


class NeoproKaspiLog(models.Model):
    """One call of the Kaspi online payment endpoint, as received and as answered."""
    _name = 'neopro.kaspi.log'
    _description = 'Kaspi online payment call'
    _order = 'id desc'
    _rec_name = 'txn_id'

    remote_addr = fields.Char(string='IP address', readonly=True)
    command = fields.Char(readonly=True, index=True)
    txn_id = fields.Char(string='Transaction id', readonly=True, index=True)
    account_number = fields.Char(readonly=True, index=True)
    account_id = fields.Many2one('neopro.account', readonly=True, ondelete='set null', index=True)
    amount_text = fields.Char(string='Sum', readonly=True)
    txn_date = fields.Char(string='Transaction date', readonly=True)
    result = fields.Integer(readonly=True, index=True)
    comment = fields.Char(readonly=True)
    http_status = fields.Integer(string='HTTP status', readonly=True)
    operation_id = fields.Many2one('neopro.operation', string='Payment', readonly=True, ondelete='set null')
    request = fields.Text(readonly=True, help='The query as received (secret hidden).')
    response = fields.Text(readonly=True)
    duration_ms = fields.Integer(string='Duration (ms)', readonly=True)

    @api.model
    def _process_call(self, params, remote_addr, secret, retry=False):
        """Answer one call: returns ``(http status, answer dict, log record)``; every call is logged.

        With ``retry``, a serialization failure or deadlock (a parallel call booked on the same account) is raised
        for the caller to run the whole transaction again; without, it answers "Internal error".
        """
        started = time.time()
        answer = {
            'txn_id': (params.get('txn_id') or '').strip(),
            'prv_txn_id': None,
            'sum': (params.get('sum') or '').strip(),
            'result': RESULT_OTHER_ERROR,
            'comment': '',
        }
        status, operation = 200, self.env['neopro.operation']
        try:
            self._check_caller(remote_addr, secret)
            with self.env.cr.savepoint():
                operation = self._dispatch(params, answer)
        except KaspiAnswer as exc:
            status, answer['result'], answer['comment'] = exc.status, exc.result, exc.comment
        except (UserError, ValidationError) as exc:  # a rule of the ledger refused the payment: say which
            answer['result'], answer['comment'] = RESULT_OTHER_ERROR, exc.name
        except Exception as exc:  # the gateway must get an answer, and the call must be logged
            if retry and getattr(exc, 'pgcode', None) in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise  # a parallel call on the same account: the caller runs the transaction again
            _logger.exception('Kaspi call %s failed', answer['txn_id'])
            answer['result'], answer['comment'] = RESULT_OTHER_ERROR, _('Internal error')
        log = self.create({
            'remote_addr': remote_addr,
            'command': (params.get('command') or '')[:32],
            'txn_id': answer['txn_id'][:64],
            'account_number': (params.get('account') or '').strip()[:64],
            'account_id': answer.get('account_id'),
            'amount_text': answer['sum'][:32],
            'txn_date': (params.get('txn_date') or '')[:32],
            'result': answer['result'],
            'comment': answer['comment'],
            'http_status': status,
            'operation_id': operation.id,
            'request': self._excerpt('&'.join('%s=%s' % (k, '***' if k == 'secret' else v)
                                              for k, v in sorted(params.items()))),
            'duration_ms': int((time.time() - started) * 1000),
        })
        return status, answer, log

    @api.model
    def _excerpt(self, text):
        """At most ``REQUEST_EXCERPT`` characters of a request: a caller cannot fill the log with megabytes."""
        return text if len(text) <= REQUEST_EXCERPT else text[:REQUEST_EXCERPT] + '…'

    @api.model
    def _purge_old(self):
        """Cron: delete the calls older than ``neopro_billing.kaspi_log_days`` days (default 365); the payments
        they booked stay in the ledger, with their transaction ids. Returns the number of calls deleted."""
        days = int(self.env['ir.config_parameter'].sudo().get_param(PARAM_LOG_DAYS, '365') or 365)
        self.env.cr.execute("DELETE FROM neopro_kaspi_log WHERE create_date < (now() AT TIME ZONE 'UTC') "
                            "- make_interval(days => %s)", (max(days, 1),))
        deleted = self.env.cr.rowcount
        self.invalidate_cache()
        return deleted

    @api.model
    def _check_caller(self, remote_addr, secret):
        """Only the configured addresses with the configured secret may call; nothing configured: nobody."""
        get_param = self.env['ir.config_parameter'].get_param
        expected = get_param(PARAM_SECRET) or ''
        if not expected or not hmac.compare_digest((secret or '').encode(), expected.encode()):
            raise KaspiAnswer(RESULT_OTHER_ERROR, _('Access denied'), status=403)
        if not self._ip_allowed(remote_addr, get_param(PARAM_ALLOWED_IPS) or ''):
            raise KaspiAnswer(RESULT_OTHER_ERROR, _('Access denied'), status=403)

    @api.model
    def _ip_allowed(self, remote_addr, allowed):
        """Whether ``remote_addr`` is in the comma- or space-separated list of addresses and networks."""
        try:
            address = ipaddress.ip_address(remote_addr or '')
        except ValueError:
            return False
        for entry in allowed.replace(',', ' ').split():
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                _logger.warning('Kaspi IP allow-list: "%s" is not an address or network', entry)
        return False

    @api.model
    def _dispatch(self, params, answer):
        """Run ``check`` or ``pay``; fills ``answer``; returns the payment concerned (may be empty)."""
        command = (params.get('command') or '').strip().lower()
        if command not in ('check', 'pay'):
            raise KaspiAnswer(RESULT_OTHER_ERROR, _('Unknown command "%s"') % command)
        txn_id = answer['txn_id']
        if not txn_id or len(txn_id) > 64 or not txn_id.replace('-', '').isalnum():
            raise KaspiAnswer(RESULT_OTHER_ERROR, _('Bad txn_id "%s"') % txn_id)
        amount = None
        if command == 'pay':  # on check the gateway sends a dummy sum (often 0): it is ignored (RULES §14)
            amount = payment_parser.parse_amount(answer['sum'])
            if amount is None or amount <= 0:
                raise KaspiAnswer(RESULT_OTHER_ERROR, _('Bad sum "%s"') % answer['sum'])
            answer['sum'] = '%.2f' % amount
        bank = self._get_bank()
        if command == 'pay':
            existing = self._find_payment(bank, txn_id)
            if existing:
                return self._answer_existing(existing, answer)
        account_number = (params.get('account') or '').strip()
        account = self.env['neopro.payment.file']._get_accounts([account_number]).get(account_number) \
            if account_number else None
        if account is None:
            raise KaspiAnswer(RESULT_ACCOUNT_NOT_FOUND, _('Account %s not found') % account_number)
        answer['account_id'] = account.id
        if not account.is_open:
            raise KaspiAnswer(RESULT_ACCOUNT_NOT_FOUND, _('Account %s is closed') % account_number)
        if command == 'check':
            self._answer_check(self.env['neopro.account'].browse(account.id), answer)
            return self.env['neopro.operation']
        date = self._parse_txn_date(params.get('txn_date'))
        self.env['neopro.guard']._check_date_bounds(date, _('Account %s, payment') % account_number,
                                                    superuser=True)
        period = self.env['neopro.period']._get_open_period()
        if not period:
            raise KaspiAnswer(RESULT_OTHER_ERROR, _('No open billing period'))
        try:
            with self.env.cr.savepoint():
                payment = self.env['neopro.operation'].create(
                    self._prepare_payment_values(account, amount, date, period, bank, txn_id))
        except psycopg2.IntegrityError:
            existing = self._find_payment(bank, txn_id)  # the same txn_id booked by a parallel call
            if existing:
                return self._answer_existing(existing, answer)
            raise
        self.env['neopro.operation']._refresh_balances(period, [account.id])
        answer.update(result=RESULT_OK, comment=_('OK'), prv_txn_id=payment.id)
        return payment

    @api.model
    def _answer_check(self, account, answer):
        """A ``check`` (RULES §14): the amount due now (the open period's closing balance, never below 0.00) and
        the payer, masked, and the address as ``fields``."""
        due = max(Decimal(str(account.balance_end or 0.0)), Decimal(0)).quantize(payment_parser.CENT)
        answer.update(result=RESULT_OK, comment=_('OK'), sum='%.2f' % due, fields=[
            ('fio', self._mask_name(account)),
            ('address', account.holder_address or ''),
        ])

    @api.model
    def _get_bank(self):
        """The bank online payments are booked under (settings; default: the shipped Kaspi Bank)."""
        bank_id = self.env['ir.config_parameter'].get_param(PARAM_BANK)
        bank = self.env['res.bank'].browse(int(bank_id)).exists() if bank_id else self.env['res.bank']
        return bank or self.env.ref('neopro_billing.bank_kaspi')

    @api.model
    def _find_payment(self, bank, txn_id):
        return self.env['neopro.operation'].search([
            ('operation_type', '=', 'payment'), ('bank_id', '=', bank.id), ('txn_id', '=', txn_id)], limit=1)

    @api.model
    def _answer_existing(self, payment, answer):
        """A repeated ``pay``: nothing is booked, the first booking is named."""
        answer.update(result=RESULT_ALREADY_PAID, prv_txn_id=payment.id, sum='%.2f' % payment.amount,
                      comment=_('Already paid'))
        return payment

    @api.model
    def _parse_txn_date(self, value):
        """``YYYYMMDDHHMMSS`` -> date string; today when absent."""
        if not value:
            return local_today(self)
        try:
            return fields.Date.to_string(datetime.strptime(value.strip(), '%Y%m%d%H%M%S').date())
        except ValueError:
            raise KaspiAnswer(RESULT_OTHER_ERROR, _('Bad txn_date "%s"') % value)

    @api.model
    def _prepare_payment_values(self, account, amount, date, period, bank, txn_id):
        """Values of the payment operation of a ``pay`` call."""
        return {
            'operation_type': 'payment',
            'amount': float(amount),
            'date': date,
            'period_id': period.id,
            'account_id': account.id,
            'payment_source_id': self.env.ref('neopro_billing.payment_source_kaspi').id,
            'bank_id': bank.id,
            'txn_id': txn_id,
            'name': _('Kaspi online payment'),
        }

    @api.model
    def _mask_name(self, account):
        """Name shown to the payer on ``check``: a resident's surname and initials; a company's name."""
        return account._get_holder()._get_masked_name()
