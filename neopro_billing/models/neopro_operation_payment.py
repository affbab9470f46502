from odoo import api, fields, models


class NeoproOperation(models.Model):
    """Payment side of the ledger: the file a payment came from, who paid, where."""
    _inherit = 'neopro.operation'

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
        """A bank's transaction id is booked once, whoever books it (file, online call, two at a time)."""
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS neopro_operation_payment_txn_unique
                ON neopro_operation ((COALESCE(bank_id, 0)), txn_id)
             WHERE operation_type = 'payment' AND txn_id IS NOT NULL""")
