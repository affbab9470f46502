from odoo import _, api, fields, models
from odoo.exceptions import UserError


class NeoproReceiptWizard(models.TransientModel):
    """Reports → Print receipts: the receipts of a period for a branch, a street or a house, in one PDF."""
    _name = 'neopro.receipt.wizard'
    _inherit = 'neopro.transient.guard'
    _description = 'Print receipts'

    period_id = fields.Many2one('neopro.period', required=True,
                                default=lambda self: self.env['neopro.period']._get_open_period())
    account_kind = fields.Selection([
        ('subscriber', 'Subscribers'),
        ('contract', 'Legal-entity contracts'),
    ], string='Accounts', default='subscriber', required=True)
    branch_id = fields.Many2one('neopro.branch', help='Empty: every branch you may see.')
    street_id = fields.Many2one('neopro.street', help='Subscribers living on this street.')
    house_id = fields.Many2one('neopro.house', domain="[('street_id', '=?', street_id)]",
                               help='Subscribers living in this house.')
    only_due = fields.Boolean(string='Only accounts with an amount due',
                              help='Leave out the accounts owing nothing at the end of the period.')
    account_count = fields.Integer(compute='_compute_account_count', string='Receipts')

    @api.depends('period_id', 'account_kind', 'branch_id', 'street_id', 'house_id', 'only_due')
    def _compute_account_count(self):
        for wizard in self:
            if wizard.period_id:
                model, domain, _order = wizard._get_account_search()
                wizard.account_count = model.search_count(domain)
            else:
                wizard.account_count = 0

    @api.onchange('street_id')
    def _onchange_street_id(self):
        if self.house_id and self.house_id.street_id != self.street_id:
            self.house_id = False

    @api.multi
    def action_print(self):
        """The receipts as one PDF."""
        self.ensure_one()
        if not self.account_count:
            raise UserError(_('No account matches: choose another branch, street or house.'))
        return self.env.ref('neopro_billing.neopro_receipt_report_batch').report_action(self, config=False)

    @api.multi
    def _get_receipt_filename(self):
        """The name of the PDF of the receipts, in the user's language ("Квитанции 02.2023")."""
        self.ensure_one()
        return _('Receipts %s') % self.period_id.name

    def _get_accounts(self):
        """The subscribers (in address order) or contracts whose receipts are printed."""
        model, domain, order = self._get_account_search()
        return model.search(domain, order=order)

    @api.multi
    def _get_account_search(self):
        """(model, domain, order) of the accounts whose receipts are printed."""
        self.ensure_one()
        domain = [('branch_id', '=', self.branch_id.id)] if self.branch_id else []
        if self.account_kind == 'subscriber':
            model, order = self.env['neopro.subscriber'], 'house_id, premise_id, account_number'
            if self.house_id:
                domain.append(('house_id', '=', self.house_id.id))
            elif self.street_id:
                domain.append(('house_id.street_id', '=', self.street_id.id))
        else:
            model, order = self.env['neopro.contract'], 'account_number'
        if self.only_due:
            self.env.cr.execute('SELECT account_id FROM neopro_balance WHERE period_id = %s AND balance_end > 0',
                                (self.period_id.id,))
            domain.append(('account_id', 'in', [row[0] for row in self.env.cr.fetchall()]))
        return model, domain, order
