from odoo import _, api, fields, models


class NeoproAccountMixin(models.AbstractModel):
    """A holder of a personal account (subscriber or contract): it *is* a ``neopro.account`` (``_inherits``), so the
    account number, the branch and the six figures of the open period (RULES §11) read and write on it, and the
    buttons of the billing line act on its account."""
    _name = 'neopro.account.mixin'
    _inherit = ['neopro.currency.mixin', 'neopro.protected.mixin', 'neopro.field.groups.mixin']
    _description = 'Account holder'

    # The holder type of the account (neopro.account.holder_type) and the receipt report (xml id) of this holder.
    _holder_type = None
    _receipt_report = None
    # The six figures are the ledger's: users read them, the engine writes them (SQL), nobody types them.
    _protected_fields = dict.fromkeys(('balance_start', 'amount_charged', 'amount_paid', 'amount_correction',
                                       'amount_penalty', 'balance_end'), (0,))

    period_charge_ids = fields.Many2many('neopro.operation', compute='_compute_period_charge_ids',
                                         string='Charges of the period',
                                         groups='neopro_billing.group_operator,neopro_billing.group_accountant')

    @api.multi
    def _compute_period_charge_ids(self):
        period = self.env['neopro.period']._get_open_period()
        operations = self.env['neopro.operation'].search([
            ('account_id', 'in', self.mapped('account_id').ids), ('period_id', '=', period.id),
            ('operation_type', '=', 'charge'),
        ], order='service_id, id') if period else self.env['neopro.operation']
        for holder in self:
            holder.period_charge_ids = operations.filtered(lambda o: o.account_id == holder.account_id)

    @api.model
    def create(self, vals):
        vals = dict(vals, holder_type=self._holder_type)
        return super(NeoproAccountMixin, self).create(vals)

    def _get_account_holder_name(self):
        """The payer's name as the account shows it (receipts, bank files, Kaspi, reports)."""
        self.ensure_one()
        return self.name

    def _get_norm_volume(self, charge):
        """The monthly volume a charge line of this account would bill without a meter (the norms panel)."""
        raise NotImplementedError

    def _get_payer_name(self):
        """Who pays for the account (a payment's payer when none is given)."""
        self.ensure_one()
        return self.name

    def _get_account_holder_address(self):
        """The address the account shows."""
        raise NotImplementedError

    def _is_account_open(self):
        """Whether the account takes payments."""
        self.ensure_one()
        return self.active

    def _get_portal_partner(self):
        """The partner whose portal users see the account (RULES §15)."""
        self.ensure_one()
        return self.partner_id

    def _get_receipt_email(self):
        """The e-mail address the monthly receipt goes to (False: none)."""
        self.ensure_one()
        return self.partner_id.email or False

    def _prepare_portal_partner(self):
        """Values of the partner created for a holder that has none (the portal invitation)."""
        raise NotImplementedError

    @api.multi
    def action_portal_invite(self):
        """Odoo's portal access wizard for the holder's partner (made first when the holder has none): the
        e-mail with the login link goes to the contacts granted access."""
        self.ensure_one()
        if not self.partner_id:
            # sudo: an operator creates the contact of his subscriber; the partner holds its name and address only
            self.partner_id = self.env['res.partner'].sudo().create(self._prepare_portal_partner())
        return {
            'type': 'ir.actions.act_window',
            'name': _('Portal access'),
            'res_model': 'portal.wizard',
            'view_mode': 'form',
            'target': 'new',
            'context': {'active_model': 'res.partner', 'active_id': self.partner_id.id,
                        'active_ids': self.partner_id.ids},
        }

    def _get_guard_label(self, vals):
        return self.mapped('account_id')._get_guard_label(vals)

    @api.multi
    def action_operation_entry(self):
        """Open the manual entry dialog (Charges / Payments / Correction buttons; the type comes in the context)."""
        self.ensure_one()
        operation_type = self.env.context.get('neopro_operation_type', 'payment')
        titles = {'charge': _('Add a charge'), 'payment': _('Add a payment'), 'correction': _('Add a correction'),
                  'writeoff': _('Write a penalty off')}
        return {
            'type': 'ir.actions.act_window',
            'name': '%s: %s' % (titles.get(operation_type, ''), self.display_name),
            'res_model': 'neopro.operation.entry',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_account_id': self.account_id.id, 'default_operation_type': operation_type},
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
            'context': {'default_account_id': self.account_id.id},
        }

    @api.multi
    def action_receipt(self):
        """The receipt (квитанция) of the open period, as a PDF."""
        self.ensure_one()
        self.env['neopro.receipt']._get_period()  # a message when there is no open period
        return self.env.ref(self._receipt_report).report_action(self, config=False)

    def _get_receipt_filename(self):
        """The name of the receipt's PDF, in the user's language ("Квитанция 12345")."""
        self.ensure_one()
        return _('Receipt %s') % self.account_number

    @api.multi
    def action_balances(self):
        """Balances of the account, period by period."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Balances of %s') % self.display_name,
            'res_model': 'neopro.balance',
            'view_mode': 'tree,form',
            'domain': [('account_id', '=', self.account_id.id)],
        }
