from odoo import _, api, models


class NeoproOperation(models.Model):
    """Guards of the ledger line: amounts and payment dates (issue 11)."""
    _name = 'neopro.operation'
    _inherit = ['neopro.operation', 'neopro.money.mixin']

    _money_fields = ('amount',)

    _sql_constraints = [
        # Bank files are written with SQL: the database itself refuses what no amount of tenge is.
        ('amount_money', "CHECK(amount <> 'NaN' AND abs(amount) < 1e10 AND amount = round(amount, 2))",
         'An amount is a finite number of tenge below 10,000,000,000 with at most 2 decimals.'),
    ]

    @api.constrains('amount')
    def _check_amount_money(self):
        self._check_money_stored('amount')

    @api.constrains('date', 'operation_type')
    def _check_payment_date(self):
        for op in self.filtered(lambda o: o.operation_type == 'payment'):
            self.env['neopro.guard']._check_date_bounds(
                op.date, _('Account %s, payment of %.2f') % (op.account_number, op.amount))
