from collections import namedtuple
from datetime import datetime, time
from decimal import Decimal

import psycopg2
import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import payment_parser
from ..lib.sql_copy import copy_rows
from .neopro_guard_mixin import local_today

ERROR_REASONS = [
    ('account_not_found', 'Account not found'),
    ('account_closed', 'Account closed'),
    ('amount', 'Bad or zero amount'),
    ('date', 'Bad date'),
    ('service', 'Unknown service'),
    ('duplicate_line', 'Duplicate line'),
    ('duplicate_earlier', 'Loaded before'),
]

# How registries name the services besides their names in the installed languages (RULES §11 codes).
SERVICE_ALIASES = {
    'cold_water': ['хвс', 'холодная вода', 'холодное водоснабжение', 'водоснабжение'],
    'hot_water': ['гвс', 'горячая вода', 'горячее водоснабжение'],
    'sewage': ['кан', 'канализация', 'водоотведение'],
}

# The unique keys two loads at the same time can meet on: the file's hash, a bank's transaction id.
FILE_HASH_CONSTRAINT = 'neopro_payment_file_file_hash_unique'
TXN_CONSTRAINT = 'neopro_operation_payment_txn_unique'

# An account a payment line can go to: its id and branch, and whether it takes payments.
Account = namedtuple('Account', 'id branch_id is_open')
# A line to book: the parsed line, its Account, and the service id (or None).
GoodLine = namedtuple('GoodLine', 'line account service_id')


class NeoproPaymentFile(models.Model):
    """A bank registry loaded into the ledger, with its load protocol."""
    _name = 'neopro.payment.file'
    _inherit = ['neopro.currency.mixin', 'neopro.file.registry.mixin']
    _description = 'Payment file'
    _order = 'upload_date desc, id desc'
    _protocol_table = 'neopro_payment_file_error'
    _protocol_columns = ('line_number', 'account_number', 'account_id', 'payer_name', 'amount_text', 'reason',
                         'message')

    bank_id = fields.Many2one('res.bank', required=True, ondelete='restrict', readonly=True, index=True)
    format_id = fields.Many2one('neopro.payment.format', ondelete='restrict', readonly=True)
    period_id = fields.Many2one('neopro.period', ondelete='restrict', readonly=True, index=True)
    user_id = fields.Many2one('res.users', string='Loaded by', readonly=True, default=lambda self: self.env.uid)
    payment_date = fields.Date(readonly=True, help='Latest payment date among the loaded lines.')
    total_records = fields.Integer(readonly=True, help='Payment lines in the file (without blank and total rows).')
    loaded_amount = fields.Monetary(readonly=True)
    error_ids = fields.One2many('neopro.payment.file.error', 'file_id', string='Load protocol', readonly=True)
    operation_ids = fields.One2many('neopro.operation', 'payment_file_id', string='Payments', readonly=True)
    upload_month_from = fields.Date(string='Uploaded from month', compute='_compute_upload_month',
                                    search='_search_upload_month_from')
    upload_month_to = fields.Date(string='Uploaded to month', compute='_compute_upload_month',
                                  search='_search_upload_month_to')

    def _compute_upload_month(self):
        for record in self:
            record.upload_month_from = record.upload_month_to = False

    def _search_upload_month_from(self, operator, value):
        return [('upload_date', '>=', self._month_start_utc(value))] if value else []

    def _search_upload_month_to(self, operator, value):
        return [('upload_date', '<', self._month_start_utc(value, months=1))] if value else []

    @api.model
    def _month_start_utc(self, value, months=0):
        """UTC timestamp of the local midnight starting the month of ``value`` (+ ``months``)."""
        day = fields.Date.from_string(value[:10]) + relativedelta(day=1, months=months)
        tz = self.env['neopro.guard']._get_tz()
        local = tz.localize(datetime.combine(day, time.min))
        return fields.Datetime.to_string(local.astimezone(pytz.utc).replace(tzinfo=None))

    @api.multi
    def unlink(self):
        for record in self:
            if record.operation_ids:
                raise UserError(_('File %s booked %s payments: it cannot be deleted.')
                                % (record.name, record.loaded_count))
        return super(NeoproPaymentFile, self).unlink()

    @api.multi
    def action_view_payments(self):
        """The payments booked from this file."""
        self.ensure_one()
        action = self.env.ref('neopro_billing.neopro_operation_action_payment').read()[0]
        action['domain'] = [('payment_file_id', '=', self.id)]
        action['context'] = {}
        action['name'] = _('Payments of %s') % self.name
        return action

    # ------------------------------------------------------------------------------------ import

    @api.model
    def _import_registry(self, bank, payment_format, data, filename):
        """Load a bank registry: check every line, book the good ones, keep the rest in the load protocol.

        The file is read in the background while each chunk of it is checked and booked (``_book_registry``),
        all in one savepoint. Returns the new ``neopro.payment.file``; nothing is written when anything fails.
        """
        self._check_import_rights()
        period = self.env['neopro.period']._get_open_period()
        if not period:
            raise UserError(_('There is no open billing period: payments cannot be booked. '
                              'Create or open a period first (Administration).'))
        file_hash = self._get_file_hash(data)
        self._check_not_loaded(file_hash)
        streamed = payment_format._read_file(data, self._import_chunk_lines)
        try:
            try:
                record = self._book_registry(bank, payment_format, period, data, filename, file_hash, streamed)
            except psycopg2.IntegrityError as error:
                # a file loaded at the same time booked first: the same file, or payments with the same
                # transaction ids
                constraint = getattr(error.diag, 'constraint_name', None)
                if constraint not in (FILE_HASH_CONSTRAINT, TXN_CONSTRAINT):
                    raise
                txn_ids = [line.txn_id for line in streamed.read_all() if line.txn_id]
                committed = self._get_committed_bookings(bank, file_hash, txn_ids)
                if committed['file']:
                    self._check_not_loaded(file_hash, committed['file'])
                record = self._book_registry(bank, payment_format, period, data, filename, file_hash, streamed,
                                             booked=committed['txns'])
        finally:
            streamed.close()
        self.env['neopro.operation'].invalidate_cache()
        self.invalidate_cache()
        return record

    @api.model
    def _book_registry(self, bank, payment_format, period, data, filename, file_hash, streamed, booked=None):
        """In one savepoint: the file record, its payments chunk by chunk as the file is read, its protocol and
        totals, the balances of the touched accounts (``booked``: transactions booked meanwhile elsewhere)."""
        with self.env.cr.savepoint():
            record = self._create_loaded_file({
                'name': filename or _('Payment file'), 'bank_id': bank.id, 'format_id': payment_format.id,
                'period_id': period.id}, data, file_hash)
            good, errors, seen = [], [], {}
            for chunk in streamed.chunks():
                chunk_good, chunk_errors = self._check_lines(chunk, bank, booked=booked, seen=seen, file_id=record.id)
                self._insert_payments(record, chunk_good, payment_format)
                good.extend(chunk_good)
                errors.extend(chunk_errors)
            # sudo: the totals of the file record made just above, which nobody else writes (see
            # _create_loaded_file)
            record.sudo().write(self._prepare_file_values(streamed.lines, good, errors))
            self._insert_errors(record, errors)
            self.env['neopro.operation']._refresh_balances(period, sorted({line.account.id for line in good}))
        self.env['neopro.operation'].invalidate_cache()
        self.invalidate_cache()
        # the accounting link posts contract payments; the ids by SQL: reading 100,000 operations through the ORM
        # only to pass them on took 10 s of a Kaspi file's load
        self.env.cr.execute('SELECT id FROM neopro_operation WHERE payment_file_id = %s ORDER BY id', (record.id,))
        self.env['neopro.operation'].browse([row[0] for row in self.env.cr.fetchall()])._on_payments_booked()
        return record

    @api.model
    def _get_committed_bookings(self, bank, file_hash, txn_ids):
        """What parallel loads committed meanwhile, which this transaction's snapshot does not see (repeatable
        read): ``{'file': the file of this hash, 'txns': {txn id: sentence}}``, read on a cursor of its own."""
        with self.pool.cursor() as cr:
            env = api.Environment(cr, self.env.uid, dict(self.env.context))
            Files = env[self._name]
            earlier = Files.search([('file_hash', '=', file_hash)], limit=1)
            return {'file': earlier and (earlier.name, earlier.bank_id.name, earlier.upload_date, earlier.user_id.name,
                                         earlier.loaded_count),
                    'txns': Files._get_booked_txns(bank.with_env(env), txn_ids)}

    @api.model
    def _check_import_rights(self):
        """Loading files is for accountants and administrators."""
        if not self.env.user.has_group('neopro_billing.group_accountant'):
            raise AccessError(_('Only accountants and administrators can load payment files.'))
        self.check_access_rights('read')
        self.env['neopro.operation'].check_access_rights('create')

    @api.model
    def _check_not_loaded(self, file_hash, earlier=None):
        """Refuse a file whose exact content was loaded before, naming that load (``earlier``: its name, bank,
        upload time, loader and payment count, when read elsewhere)."""
        if earlier is None:
            found = self.search([('file_hash', '=', file_hash)], limit=1)
            earlier = found and (found.name, found.bank_id.name, found.upload_date, found.user_id.name,
                                 found.loaded_count)
        if earlier:
            name, bank_name, upload_date, user_name, count = earlier
            raise UserError(_('This file was loaded already: "%s" (%s) on %s by %s, %s payments. '
                              'It is not loaded again.') % (
                name, bank_name, self.env['neopro.guard']._format_datetime(upload_date), user_name, count))

    @api.model
    def _check_lines(self, lines, bank, booked=None, seen=None, file_id=None):
        """Split parsed lines into payments to book and protocol rows (``booked``: the transactions booked
        already, when read elsewhere; ``seen``: {transaction id: line number} of the file's earlier lines,
        updated; ``file_id``: the file being loaded, whose own payments are not "booked before").

        Returns ``(good, errors)``: good are ``GoodLine`` tuples, errors are dicts of protocol values.
        """
        accounts = self._get_accounts({line.account for line in lines if line.account})
        txn_ids = [line.txn_id for line in lines if line.txn_id]
        booked = dict(self._get_booked_txns(bank, txn_ids, file_id), **(booked or {}))
        services = self._get_service_map()
        today = fields.Date.from_string(local_today(self))
        first_day = self.env['neopro.guard']._first_period_start()
        first_day = first_day and fields.Date.from_string(first_day)
        seen = {} if seen is None else seen
        good, errors = [], []
        for line in lines:
            problems = self._get_cell_problems(line, today, first_day)
            account = accounts.get(line.account)
            if line.account and account is None:
                problems.append(('account_not_found', _('Account %s not found') % line.account))
            elif account and not account.is_open:
                problems.append(('account_closed', _('Account %s is closed') % line.account))
            service_id = None
            if line.service:
                service_id = services.get(line.service.lower())
                if not service_id:
                    problems.append(('service', _('Unknown service "%s"') % line.service))
            if line.txn_id:
                if line.txn_id in booked:
                    problems.append(('duplicate_earlier', booked[line.txn_id]))
                elif line.txn_id in seen:
                    problems.append(('duplicate_line', _('Duplicate of line %s (transaction %s)')
                                     % (seen[line.txn_id], line.txn_id)))
                else:
                    seen[line.txn_id] = line.line_number
            if problems:
                errors.append({
                    'line_number': line.line_number, 'account_number': line.account or None,
                    'account_id': account.id if account else None,
                    'payer_name': line.payer, 'amount_text': line.raw_amount or None,
                    'reason': problems[0][0], 'message': '; '.join(p[1] for p in problems),
                })
            else:
                good.append(GoodLine(line, account, service_id))
        return good, errors

    @api.model
    def _get_cell_problems(self, line, today, first_day=None):
        """Problems the parser found in the cells of a line, worded; plus a payment date in the future or before
        the first billing period (``first_day``)."""
        problems = []
        for code, raw in line.errors:
            if code == payment_parser.NO_ACCOUNT:
                problems.append(('account_not_found', _('No account number')))
            elif code == payment_parser.BAD_AMOUNT:
                problems.append(('amount', _('Bad amount "%s"') % raw))
            elif code == payment_parser.ZERO_AMOUNT:
                problems.append(('amount', _('Zero or negative amount "%s"') % raw))
            elif code == payment_parser.BAD_DATE:
                problems.append(('date', _('Bad payment date "%s"') % raw))
        if line.date and line.date > today:
            problems.append(('date', _('Payment date %s is in the future') % line.date.strftime('%d.%m.%Y')))
        if line.date and first_day and line.date < first_day:
            problems.append(('date', _('Payment date %s is before the first billing period, which starts on %s')
                             % (line.date.strftime('%d.%m.%Y'), first_day.strftime('%d.%m.%Y'))))
        return problems

    @api.model
    def _get_accounts(self, numbers):
        """``{account number: Account}`` of the given account numbers (unique across residents and contracts)."""
        return {number: Account(*values) for number, values in self.env['neopro.account']._find(numbers).items()}

    @api.model
    def _get_booked_txns(self, bank, txn_ids, file_id=None):
        """``{transaction id: sentence naming the earlier booking}`` of this bank's payments (not counting those
        of the file ``file_id``)."""
        if not txn_ids:
            return {}
        self.env.cr.execute("""
            SELECT o.txn_id, o.date, f.name, f.upload_date, s.code
              FROM neopro_operation o
              LEFT JOIN neopro_payment_file f ON f.id = o.payment_file_id
              LEFT JOIN neopro_payment_source s ON s.id = o.payment_source_id
             WHERE o.operation_type = 'payment' AND o.txn_id IS NOT NULL
               AND COALESCE(o.bank_id, 0) = %s AND o.txn_id = ANY(%s)
               AND (%s::integer IS NULL OR o.payment_file_id IS DISTINCT FROM %s)""",
                            (bank.id, list(set(txn_ids)), file_id, file_id))
        booked = {}
        for txn_id, date, file_name, upload_date, source in self.env.cr.fetchall():
            if file_name:
                booked[txn_id] = _('Transaction %s was booked already from file %s loaded on %s') % (
                    txn_id, file_name, self.env['neopro.guard']._format_datetime(upload_date, seconds=False))
            elif source == 'online':
                booked[txn_id] = _('Transaction %s was paid online already on %s') % (
                    txn_id, fields.Date.from_string(date).strftime('%d.%m.%Y'))
            else:
                booked[txn_id] = _('Transaction %s was booked already on %s') % (
                    txn_id, fields.Date.from_string(date).strftime('%d.%m.%Y'))
        return booked

    @api.model
    def _get_service_map(self):
        """``{lower-case code, name or abbreviation in any installed language: service id}``."""
        result = {}
        for service in self.env['neopro.service'].with_context(active_test=False).search([]):
            for alias in SERVICE_ALIASES.get(service.code, []):
                result[alias] = service.id
        langs = [code for code, _name in self.env['res.lang'].get_installed()]
        for lang in set(langs + ['en_US']):
            for service in self.env['neopro.service'].with_context(lang=lang, active_test=False).search([]):
                for key in (service.code, service.name, service.short_name):
                    if key:
                        result[key.strip().lower()] = service.id
        return result

    @api.model
    def _prepare_file_values(self, lines, good, errors):
        """The totals of the file record."""
        return {
            'payment_date': good and fields.Date.to_string(max(g.line.date for g in good)) or False,
            'total_records': len(lines),
            'loaded_count': len(good),
            'loaded_amount': float(sum((g.line.amount for g in good), Decimal(0))),
            'error_count': len(errors),
        }

    @api.model
    def _insert_payments(self, record, good, payment_format):
        """Write the payments of the good lines with one COPY."""
        if not good:
            return
        uid, now = self.env.uid, fields.Datetime.now()
        source_id = payment_format.payment_source_id.id or None
        bank_id, period_id = record.bank_id.id, record.period_id.id
        name = record.name
        # RULES §7, as every payment: a day of a closed month is booked on the first day of the open period
        booking = {day: self.env['neopro.operation']._get_booking_date(day, record.period_id)
                   for day in {g.line.date for g in good}}
        rows = [(
            g.line.amount, booking[g.line.date], g.line.date, g.account.id, g.account.branch_id, g.line.account,
            g.service_id, g.line.txn_id, g.line.payer,
        ) for g in sorted(good, key=lambda g: g.account.id)]  # in index order: faster
        copy_rows(self.env.cr, 'neopro_operation', (
            'amount', 'date', 'payment_date', 'account_id', 'branch_id', 'account_number', 'service_id', 'txn_id',
            'payer_name'), rows, constants={
                'period_id': period_id, 'payment_source_id': source_id, 'bank_id': bank_id, 'name': name,
                'payment_file_id': record.id, 'create_uid': uid, 'write_uid': uid, 'create_date': now,
                'write_date': now, 'operation_type': 'payment', 'is_auto': False})


class NeoproPaymentFileError(models.Model):
    """A rejected line of a payment file (load protocol)."""
    _name = 'neopro.payment.file.error'
    _description = 'Payment file load protocol line'
    _order = 'file_id, line_number'

    file_id = fields.Many2one('neopro.payment.file', required=True, ondelete='cascade', index=True)
    line_number = fields.Integer(required=True)
    account_number = fields.Char()
    account_id = fields.Many2one('neopro.account', ondelete='set null', index=True,
                                 help='The account of the line, when its number was found.')
    payer_name = fields.Char()
    amount_text = fields.Char(string='Amount')
    reason = fields.Selection(ERROR_REASONS, required=True)
    message = fields.Char(required=True)
