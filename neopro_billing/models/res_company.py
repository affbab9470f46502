from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Default chart entries of the accounting link: (company field, code, name, account type xml id, reconcile).
# Codes follow the Kazakh standard chart (НСФО): 1210 receivables, 1030 bank, 6010 revenue, 6280 other income.
DEFAULT_ACCOUNTS = [
    ('neopro_receivable_account_id', '1210', 'Receivables from subscribers and customers (billing)',
     'account.data_account_type_receivable', True),
    ('neopro_revenue_account_id', '6010', 'Revenue from water supply and sewage services',
     'account.data_account_type_revenue', False),
    ('neopro_correction_account_id', '6030', 'Billing corrections (recalculations)',
     'account.data_account_type_revenue', False),
    ('neopro_penalty_account_id', '6280', 'Penalties charged to subscribers',
     'account.data_account_type_other_income', False),
    ('neopro_payment_account_id', '1030', 'Payments received through banks (billing)',
     'account.data_account_type_liquidity', False),
    ('neopro_opening_account_id', '5510', 'Opening balances of billing accounts',
     'account.data_account_type_equity', False),
]


class ResCompany(models.Model):
    """Where the billing ledger goes in Odoo accounting (RULES §8)."""
    _inherit = 'res.company'

    neopro_post_on_close = fields.Boolean(string='Post billing to accounting on period close', default=True)
    neopro_journal_id = fields.Many2one('account.journal', string='Billing summary journal',
                                        domain="[('type', '=', 'general')]")
    neopro_invoice_journal_id = fields.Many2one('account.journal', string='Contract invoice journal',
                                                domain="[('type', '=', 'sale')]")
    neopro_receivable_account_id = fields.Many2one('account.account', string='Billing receivable account')
    neopro_revenue_account_id = fields.Many2one('account.account', string='Billing revenue account')
    neopro_correction_account_id = fields.Many2one('account.account', string='Billing correction account')
    neopro_penalty_account_id = fields.Many2one('account.account', string='Billing penalty account')
    neopro_payment_account_id = fields.Many2one('account.account', string='Billing payment account',
                                                help='Debited with the payments booked in the billing.')
    neopro_opening_account_id = fields.Many2one(
        'account.account', string='Billing opening balance account',
        help='Counterpart of the debts the billing had before its first period posted to accounting.')
    neopro_payment_journal_id = fields.Many2one('account.journal', string='Contract payment journal',
                                                domain="[('type', 'in', ('bank', 'cash'))]",
                                                help='Journal of the Odoo payments made from contract payments.')
    neopro_product_id = fields.Many2one('product.product', string='Billing invoice product',
                                        help='Product of the lines of contract invoices.')
    # Requisites the receipts print besides the name, BIN (vat) and bank account.
    neopro_kbe = fields.Char(string='Beneficiary code (Kbe)', size=2,
                             help='Two digits: residency (1) and economic sector of the utility, e.g. 16.')
    neopro_knp = fields.Char(string='Payment purpose code (KNP)', size=3,
                             help='Three digits the payer\'s bank puts in the payment order.')
    neopro_vat_rate = fields.Float(string='VAT rate, %', digits=(5, 2), default=0.0,
                                   help='VAT included in the tariffs; legal entities\' receipts print it. '
                                        '0: the utility is not a VAT payer.')

    @api.model
    def _neopro_setup_accounting(self):
        """Create the default accounts, journals and product of the accounting link where none is set."""
        for company in self.search([]):
            company._neopro_setup_company_accounting()

    def _neopro_setup_company_accounting(self):
        self.ensure_one()
        Account = self.env['account.account']
        values = {}
        for field, code, name, type_xmlid, reconcile in DEFAULT_ACCOUNTS:
            if self[field]:
                continue
            account = Account.search([('code', '=', code), ('company_id', '=', self.id)], limit=1)
            if not account:
                account = Account.create({'code': code, 'name': name, 'reconcile': reconcile,
                                          'user_type_id': self.env.ref(type_xmlid).id, 'company_id': self.id})
            values[field] = account.id
        for field, code, name, journal_type in [
                ('neopro_journal_id', 'BILL', 'Billing summary', 'general'),
                ('neopro_invoice_journal_id', 'BINV', 'Billing contract invoices', 'sale')]:
            if self[field]:
                continue
            journal = self.env['account.journal'].search([('code', '=', code), ('company_id', '=', self.id)],
                                                         limit=1)
            if not journal:
                journal = self.env['account.journal'].create({
                    'name': name, 'code': code, 'type': journal_type, 'company_id': self.id,
                    'update_posted': True, 'refund_sequence': journal_type == 'sale'})
            values[field] = journal.id
        if not self.neopro_payment_journal_id:
            journal = self.env['account.journal'].search([('code', '=', 'BPAY'), ('company_id', '=', self.id)],
                                                         limit=1)
            if not journal:
                bank = values.get('neopro_payment_account_id') or self.neopro_payment_account_id.id
                journal = self.env['account.journal'].create({
                    'name': 'Billing contract payments', 'code': 'BPAY', 'type': 'bank', 'company_id': self.id,
                    'update_posted': True, 'default_debit_account_id': bank, 'default_credit_account_id': bank})
            values['neopro_payment_journal_id'] = journal.id
        if not self.neopro_product_id:
            product = self.env.ref('neopro_billing.product_billing_service', raise_if_not_found=False)
            values['neopro_product_id'] = product.id if product else False
        if values:
            self.write(values)

    def _neopro_get_accounting_config(self):
        """The accounting link settings; a missing one raises a message naming it."""
        self.ensure_one()
        fields_needed = ['neopro_journal_id', 'neopro_invoice_journal_id', 'neopro_receivable_account_id',
                         'neopro_revenue_account_id', 'neopro_correction_account_id', 'neopro_penalty_account_id',
                         'neopro_payment_account_id', 'neopro_opening_account_id', 'neopro_payment_journal_id']
        missing = [self._fields[f].get_description(self.env)['string'] for f in fields_needed if not self[f]]
        if missing:
            raise UserError(_('Company %s: set %s in the billing settings before posting to accounting.')
                            % (self.name, ', '.join(missing)))
        return self
