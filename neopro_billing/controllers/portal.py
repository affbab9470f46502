"""Subscribers' own pages (RULES §15): ``/my/accounts`` on Odoo's portal.

Every record is looked up as the logged-in user, so the portal record rules (security/neopro_portal_rules.xml)
decide what he sees: his accounts, their operations, balances, meters and readings. A number or a period that is
not his answers "not found", as one that does not exist.
"""
import logging

from odoo import _, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal, pager as portal_pager

from ..models.neopro_period import format_date

_logger = logging.getLogger(__name__)
# Months of history the account page shows.
HISTORY_MONTHS = 12


class NeoproPortal(CustomerPortal):

    def _get_neopro_account_domain(self):
        """The accounts of the logged-in person: his own partner's (a subscriber) or his company's (a contract)."""
        user = request.env.user
        return [('holder_partner_id', 'in', [user.partner_id.id, user.commercial_partner_id.id])]

    def _can_read_neopro_accounts(self):
        return request.env['neopro.account'].check_access_rights('read', raise_exception=False)

    def _prepare_portal_layout_values(self):
        values = super(NeoproPortal, self)._prepare_portal_layout_values()
        values['neopro_account_count'] = request.env['neopro.account'].search_count(
            self._get_neopro_account_domain()) if self._can_read_neopro_accounts() else 0
        return values

    def _get_neopro_account(self, number):
        """The logged-in person's account of this number (empty when it is not his)."""
        if not self._can_read_neopro_accounts():
            return request.env['neopro.account']
        return request.env['neopro.account'].search(
            self._get_neopro_account_domain() + [('account_number', '=', number)], limit=1)

    @http.route(['/my/accounts', '/my/accounts/page/<int:page>'], type='http', auth='user', website=True)
    def portal_my_neopro_accounts(self, page=1, **kw):
        values = self._prepare_portal_layout_values()
        Account = request.env['neopro.account']
        domain = self._get_neopro_account_domain()
        count = values['neopro_account_count']
        pager = portal_pager(url='/my/accounts', total=count, page=page, step=self._items_per_page)
        accounts = Account.search(domain, limit=self._items_per_page, offset=pager['offset']) \
            if self._can_read_neopro_accounts() else Account
        values.update({
            'accounts': accounts,
            'pager': pager,
            'page_name': 'neopro_account',
            'default_url': '/my/accounts',
            'currency': request.env.user.company_id.currency_id,
        })
        return request.render('neopro_billing.portal_my_neopro_accounts', values)

    @http.route(['/my/accounts/<string:number>'], type='http', auth='user', website=True)
    def portal_neopro_account(self, number, **kw):
        account = self._get_neopro_account(number)
        if not account:
            return request.not_found()
        values = self._prepare_neopro_account_values(account)
        if kw.get('reading_ok'):
            values['reading_message'] = _('Thank you: the reading of meter %s is accepted.') % kw['reading_ok']
        return request.render('neopro_billing.portal_neopro_account_page', values)

    @http.route(['/my/accounts/<string:number>/reading'], type='http', auth='user', methods=['POST'], website=True)
    def portal_neopro_account_reading(self, number, meter_id=None, value=None, **kw):
        """A meter reading of the subscriber, checked by neopro.meter.reading as every reading is."""
        account = self._get_neopro_account(number)
        if not account:
            return request.not_found()
        meter = request.env['neopro.meter'].search([('account_id', '=', account.id),
                                                    ('id', '=', int(meter_id) if (meter_id or '').isdigit() else 0)])
        error = False
        if not meter:
            error = _('Choose one of the meters of this account.')
        else:
            try:
                reading = float((value or '').replace(',', '.').replace(' ', ''))
            except ValueError:
                error = _('Meter %s: "%s" is not a number; type the figures of the counter, e.g. 1234.5.') \
                    % (meter.serial_number, value or '')
        if not error:
            try:
                with request.env.cr.savepoint():
                    request.env['neopro.meter.reading'].create({'meter_id': meter.id, 'value': reading})
            except (UserError, ValidationError, AccessError) as exc:
                error = exc.name
        if error:
            values = self._prepare_neopro_account_values(account)
            values.update({'reading_error': error, 'reading_meter_id': meter.id, 'reading_value': value})
            return request.render('neopro_billing.portal_neopro_account_page', values)
        return request.redirect('/my/accounts/%s?reading_ok=%s' % (account.account_number, meter.serial_number))

    @http.route(['/my/accounts/<string:number>/receipt/<int:period_id>'], type='http', auth='user', website=True)
    def portal_neopro_account_receipt(self, number, period_id, **kw):
        """The receipt of a period the account has a balance of, as a PDF."""
        account = self._get_neopro_account(number)
        balance = request.env['neopro.balance'].search(
            [('account_id', '=', account.id), ('period_id', '=', period_id)], limit=1) if account else False
        if not balance:
            return request.not_found()
        holder = account._get_holder()
        # sudo: the account is the user's (found through his record rules above); the receipt also prints the
        # utility's requisites, its branch and bank, which the portal rules do not open to him
        report = request.env.ref(holder._receipt_report).sudo()
        pdf = report.render_qweb_pdf(holder.ids, data={'period_id': period_id})[0]
        filename = request.env['neopro.receipt.mail']._get_receipt_filename(account, balance.sudo().period_id)
        return request.make_response(pdf, headers=[
            ('Content-Type', 'application/pdf'), ('Content-Length', len(pdf)),
            ('Content-Disposition', http.content_disposition(filename))])

    def _prepare_neopro_account_values(self, account):
        """What the account page shows: the billing line, months, operations, payments, meters, the form."""
        values = self._prepare_portal_layout_values()
        env = request.env
        Reading = env['neopro.meter.reading']
        # sudo: the open period is the calendar of billing, not a secret of the utility
        period = env['neopro.period'].sudo()._get_open_period()
        balances = env['neopro.balance'].search([('account_id', '=', account.id)], order='period_id',
                                                limit=HISTORY_MONTHS)
        operations = env['neopro.operation'].search_read(
            [('account_id', '=', account.id), ('period_id', 'in', balances.mapped('period_id').ids)],
            ['date', 'operation_type', 'service_id', 'volume', 'amount', 'period_id', 'name'],
            order='date desc, id desc')
        types = dict(env['neopro.operation']._fields['operation_type']._description_selection(env))
        months = []
        for balance in balances:
            period_ops = [op for op in operations if op['period_id'][0] == balance.period_id.id]
            months.append({'balance': balance, 'period': balance.sudo().period_id, 'operations': period_ops})
        meters = env['neopro.meter'].search([('account_id', '=', account.id)])
        today = env['neopro.guard']._today()
        last = Reading._get_last_readings(meters.ids, today, strict=False)
        day_from, day_to = Reading._get_reading_window()
        day = int(today[8:10])
        # sudo (display only): the records are the user's, found through his record rules; their names of
        # services, companies and periods are reference data the portal rules do not open
        values.update({
            'page_name': 'neopro_account',
            'account': account,
            'holder': account._get_holder().sudo(),
            'period': period,
            'currency': env.user.company_id.currency_id,
            'months': months,
            'operation_types': types,
            'payments': [op for op in operations if op['operation_type'] == 'payment'],
            'meters': meters.sudo(),
            'last_readings': last,
            'kaspi_url': account._get_kaspi_pay_url(max(account.balance_end, 0.0)),
            'reading_window': (day_from, day_to),
            'reading_open': bool(period) and day_from <= day <= day_to
            and period.date_start <= today <= period.date_end,
            'format_date': format_date,
        })
        return values
