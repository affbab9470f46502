from odoo import _, api, fields, models


class NeoproAccountMixin(models.AbstractModel):
    """A billed account (subscriber or contract): the billing line of the open period and its buttons.

    The six figures (SPEC §11) are stored copies of the account's ``neopro.balance`` of the open period, written by
    ``neopro.balance._recompute`` with SQL, so lists of 100k accounts sort and filter by debt.
    """
    _name = 'neopro.account.mixin'
    _inherit = ['neopro.currency.mixin', 'neopro.protected.mixin']
    _description = 'Billed account'

    # The column of neopro.operation / neopro.balance pointing to this kind of account.
    _account_field = None
    # The receipt report (xml id) of this kind of account.
    _receipt_report = None
    # The six figures are the ledger's: users read them, the engine writes them (SQL), nobody types them.
    _protected_fields = dict.fromkeys(('balance_start', 'amount_charged', 'amount_paid', 'amount_correction',
                                       'amount_penalty', 'balance_end'), (0,))

    balance_start = fields.Monetary(string='Opening balance', readonly=True, copy=False, default=0.0,
                                    help='Closing balance of the previous period.')
    amount_paid = fields.Monetary(string='Paid', readonly=True, copy=False, default=0.0)
    amount_charged = fields.Monetary(string='Charged', readonly=True, copy=False, default=0.0)
    amount_correction = fields.Monetary(string='Correction', readonly=True, copy=False, default=0.0)
    amount_penalty = fields.Monetary(string='Penalty', readonly=True, copy=False, default=0.0)
    balance_end = fields.Monetary(string='Closing balance', readonly=True, copy=False, default=0.0, index=True,
                                  help='Opening balance + charged + correction + penalty − paid: the debt '
                                       '(negative: paid in advance).')
    period_charge_ids = fields.Many2many('neopro.operation', compute='_compute_period_charge_ids',
                                         string='Charges of the period',
                                         groups='neopro_billing.group_operator,neopro_billing.group_accountant')

    @api.multi
    def _compute_period_charge_ids(self):
        period = self.env['neopro.period']._get_open_period()
        operations = self.env['neopro.operation'].search([
            (self._account_field, 'in', self.ids), ('period_id', '=', period.id), ('operation_type', '=', 'charge'),
        ], order='service_id, id') if period else self.env['neopro.operation']
        for account in self:
            account.period_charge_ids = operations.filtered(lambda o: o[self._account_field] == account)

    def _get_guard_label(self, vals):
        numbers = self.mapped('account_number') if self else [vals.get('account_number') or '-']
        return _('Account %s') % ', '.join(n or '-' for n in numbers)

    @api.multi
    def action_operation_entry(self):
        """Open the manual entry dialog (Charges / Payments / Correction buttons; the type comes in the context)."""
        self.ensure_one()
        operation_type = self.env.context.get('neopro_operation_type', 'payment')
        titles = {'charge': _('Add a charge'), 'payment': _('Add a payment'), 'correction': _('Add a correction')}
        return {
            'type': 'ir.actions.act_window',
            'name': '%s: %s' % (titles.get(operation_type, ''), self.display_name),
            'res_model': 'neopro.operation.entry',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_%s' % self._account_field: self.id, 'default_operation_type': operation_type},
        }

    @api.multi
    def action_history(self):
        """Open the History window: operations of the account over a chosen period, reconciliation act."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('History of %s') % self.display_name,
            'res_model': 'neopro.history',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_%s' % self._account_field: self.id},
        }

    @api.multi
    def action_receipt(self):
        """The receipt (квитанция) of the open period, as a PDF."""
        self.ensure_one()
        self.env['neopro.receipt']._get_period()  # a message when there is no open period
        return self.env.ref(self._receipt_report).report_action(self, config=False)

    @api.multi
    def action_balances(self):
        """Balances of the account, period by period."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Balances of %s') % self.display_name,
            'res_model': 'neopro.balance',
            'view_mode': 'tree,form',
            'domain': [(self._account_field, '=', self.id)],
        }
