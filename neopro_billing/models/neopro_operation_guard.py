from odoo import _, api, models


class NeoproOperation(models.Model):
    """Guards of the ledger line: system fields, amounts and payment dates (issue 11)."""
    _name = 'neopro.operation'
    _inherit = ['neopro.operation', 'neopro.protected.mixin', 'neopro.money.mixin']

    # The calculation marks its own lines (is_auto, basis): a computed charge turned manual is billed twice by the
    # next calculation. Files and Kaspi link their payments (payment file, transaction id): a transaction id typed
    # by a user makes the bank's real payment of that id answer "already paid", and lands on the wrong account.
    # A manual charge from the entry dialog says basis "manual".
    _protected_fields = {
        'is_auto': (False,),
        'basis': (False, 'manual'),
        'reversed_volume': (0, 0.0, False),
        'band_lines': (False,),
        'txn_id': (False,),
        'payment_file_id': (False,),
    }
    _money_fields = ('amount',)

    _sql_constraints = [
        # Bank files are written with SQL: the database itself refuses what no amount of tenge is.
        ('amount_money', "CHECK(amount <> 'NaN' AND abs(amount) < 1e10 AND amount = round(amount, 2))",
         'An amount is a finite number of tenge below 10,000,000,000 with at most 2 decimals.'),
    ]

    @api.constrains('amount')
    def _check_amount_money(self):
        self._check_money_stored('amount')

    @api.constrains('date', 'payment_date', 'operation_type')
    def _check_payment_date(self):
        for op in self.filtered(lambda o: o.operation_type == 'payment'):
            self.env['neopro.guard']._check_date_bounds(
                op.payment_date or op.date, _('Account %s, payment of %.2f') % (op.account_number, op.amount))

    def _get_guard_label(self, vals):
        return _('Account %s') % self._get_money_label(vals)
