from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.job import job

from .neopro_guard_mixin import local_today


def _date_text(value):
    """A date (or the text of a date or a datetime) as Odoo's date text ``YYYY-MM-DD``."""
    return value[:10] if isinstance(value, str) else fields.Date.to_string(value)


class NeoproOperation(models.Model):
    """Payment side of the ledger: the file a payment came from, who paid, where; and its accounting (RULES §8):
    a legal entity's payment, however booked (bank file, Kaspi, manual entry), becomes an Odoo payment of the
    contract's company reconciled with the contract's open invoices, oldest first, once the contract has documents
    in accounting (before that its first posted period carries it, in its opening debt or as its payment)."""
    _inherit = 'neopro.operation'

    payment_date = fields.Date(readonly=True, copy=False, index=True,
                               help='The day the payer paid. A payment paid in a month already closed is booked on the '
                                    'first day of the open period (its date in the ledger) and keeps this date '
                                    '(RULES §7).')
    payment_file_id = fields.Many2one('neopro.payment.file', string='Payment file', ondelete='restrict',
                                      index=True, readonly=True)
    account_name = fields.Char(string='Full name', compute='_compute_account_details')
    account_address = fields.Char(string='Address', compute='_compute_account_details')
    search_date_from = fields.Date(string='Date from', compute='_compute_search_dates',
                                   search='_search_search_date_from')
    search_date_to = fields.Date(string='Date to', compute='_compute_search_dates', search='_search_search_date_to')

    @api.depends('account_id.payer_name', 'account_id.holder_address')
    def _compute_account_details(self):
        for op in self:
            op.account_name = op.account_id.payer_name
            op.account_address = op.account_id.holder_address

    def _compute_search_dates(self):
        for op in self:
            op.search_date_from = op.search_date_to = False

    def _search_search_date_from(self, operator, value):
        return [('date', '>=', value)]

    def _search_search_date_to(self, operator, value):
        return [('date', '<=', value)]

    @api.model_cr
    def init(self):
        """A bank's transaction id is booked once, whoever books it (file, online call, two at a time); payments
        booked before the payment date existed were booked on the day they were paid."""
        self.env.cr.execute("UPDATE neopro_operation SET payment_date = date "
                            "WHERE operation_type = 'payment' AND payment_date IS NULL")
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS neopro_operation_payment_txn_unique
                ON neopro_operation ((COALESCE(bank_id, 0)), txn_id)
             WHERE operation_type = 'payment' AND txn_id IS NOT NULL""")

    # ------------------------------------------------------------------------------------ accounting

    account_payment_id = fields.Many2one('account.payment', string='Accounting payment', readonly=True,
                                         copy=False, ondelete='set null', index=True)

    @api.model
    def create(self, vals):
        op = super(NeoproOperation, self).create(vals)
        if op.operation_type == 'payment':
            op._on_payments_booked()
        return op

    @api.multi
    def write(self, vals):
        posted = self.filtered('account_payment_id')
        if posted and {'amount', 'date', 'account_id', 'operation_type'} & set(vals):
            posted._unpost_payments()
        res = super(NeoproOperation, self).write(vals)
        if posted and {'amount', 'date', 'account_id', 'operation_type'} & set(vals):
            posted._on_payments_booked()
        return res

    @api.multi
    def unlink(self):
        self.filtered('account_payment_id')._unpost_payments()
        return super(NeoproOperation, self).unlink()

    def _on_payments_booked(self):
        """Hook of every way a payment is booked: queue the accounting of the contract payments among them."""
        if not self.env.user.company_id.sudo().neopro_post_on_close:
            return
        if not self.ids:
            return
        # one query, whatever the number of payments (a bank file books tens of thousands)
        self.env.cr.execute("""
            SELECT o.id FROM neopro_operation o
              JOIN neopro_contract c ON c.account_id = o.account_id
             WHERE o.id IN %s AND o.operation_type = 'payment' AND o.account_payment_id IS NULL
               AND EXISTS (SELECT 1 FROM account_move m WHERE m.neopro_contract_id = c.id)""", (tuple(self.ids),))
        op_ids = [row[0] for row in self.env.cr.fetchall()]
        if op_ids:
            # sudo: whoever books a payment (an operator, the Kaspi endpoint) starts its accounting, which is the
            # system's; the job only reads these operations
            ops = self.sudo().browse(op_ids)
            ops.with_delay(description=_('Accounting: %s contract payments') % len(ops))._post_payments_job()

    @job(default_channel='root')
    @api.multi
    def _post_payments_job(self):
        """Job: Odoo payments of these contract payments, reconciled with their contracts' open invoices."""
        ops = self.sudo().exists()
        Accounting = self.env['neopro.accounting'].sudo()
        contract_ids = Accounting._post_contract_payments(ops)
        partials = Accounting._reconcile_contracts(contract_ids)
        return _('%s payments posted, %s reconciliations') % (len(ops.filtered('account_payment_id')), partials)

    def _unpost_payments(self):
        """Cancel the Odoo payments of these operations (changed or deleted in the open period), then match the
        contracts' items again."""
        payments = self.sudo().mapped('account_payment_id')
        contracts = payments.mapped('neopro_contract_id')
        for payment in payments:
            if payment.state not in ('posted', 'sent', 'reconciled'):
                raise UserError(_('Account %s: its accounting payment %s is %s; ask an accountant.')
                                % (payment.neopro_operation_id.account_number, payment.name, payment.state))
        payments.mapped('move_line_ids').remove_move_reconcile()
        payments.cancel()
        self.sudo().write({'account_payment_id': False})
        self.env['neopro.accounting'].sudo()._reconcile_contracts(contracts.ids)

    @api.model
    def _get_booking_date(self, paid_on, period):
        """RULES §7, the one rule for a payment paid on ``paid_on`` (a date or its text) and booked in the open
        ``period``, whatever the path (entry dialog, RPC, bank file, Kaspi): its day in the ledger is the day paid,
        or the first day of the open period when that day lies in a month already closed. The payment keeps
        ``paid_on`` as its payment date. Returns the ledger date as text; refused when there is no open period."""
        if not period or period.state != 'open':
            raise UserError(_('There is no open billing period: the payment of %s cannot be booked. '
                              'Create or open a period first (Administration).') % _date_text(paid_on))
        return max(_date_text(paid_on), period.date_start)

    @api.model
    def _place_payment(self, vals, period):
        """Values of a payment with its ledger ``date`` and its ``payment_date`` set by ``_get_booking_date``."""
        paid_on = _date_text(vals.get('payment_date') or vals.get('date') or local_today(self))
        return dict(vals, payment_date=paid_on, date=self._get_booking_date(paid_on, period))
