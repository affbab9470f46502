from odoo import _, api, fields, models
from odoo.exceptions import UserError


def _date_text(value):
    """A date (or the text of a date or a datetime) as Odoo's date text ``YYYY-MM-DD``."""
    return value[:10] if isinstance(value, str) else fields.Date.to_string(value)


class NeoproOperation(models.Model):
    """Payment side of the ledger: the file a payment came from, who paid, where."""
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
        paid_on = _date_text(vals.get('payment_date') or vals.get('date') or fields.Date.context_today(self))
        return dict(vals, payment_date=paid_on, date=self._get_booking_date(paid_on, period))
