from odoo import api, fields, models

from ..lib import payment_parser


class NeoproPaymentFormat(models.Model):
    """The layout of a bank's payment registry or statement: file type and which column holds what.

    Banks change their layouts, so a layout is data an administrator edits, not code. The file itself is read by
    the exchange file layout (``neopro.file.format.mixin``), shared with the meter-reading formats.
    """
    _name = 'neopro.payment.format'
    _inherit = ['neopro.reference.mixin', 'neopro.file.format.mixin']
    _description = 'Bank payment file format'
    _order = 'name'

    column_account = fields.Char(string='Account column', required=True,
                                 help='Column title (alternatives separated by |), column number (1, 2, …) '
                                      'or letter (A, B, …).')
    account_pattern = fields.Char(
        help='Optional regular expression finding the account number in the account column, e.g. in the purpose '
             'of payment of a bank statement: its first group is the number.')
    column_payer = fields.Char(string='Payer name column')
    column_amount = fields.Char(string='Amount column', required=True)
    column_date = fields.Char(string='Payment date column', required=True)
    column_service = fields.Char(string='Service column', help='Optional: service code or name, e.g. ХВС.')
    column_txn = fields.Char(string='Transaction id column',
                             help='Optional: receipt or transaction number; a number seen before for the same '
                                  'bank is never booked twice. Several columns joined by + (e.g. '
                                  'Номер+ДатаДокумента+ПлательщикСчет) make one number of their values.')
    payment_source_id = fields.Many2one('neopro.payment.source', required=True, ondelete='restrict',
                                        default=lambda self: self.env.ref('neopro_billing.payment_source_bank',
                                                                          raise_if_not_found=False))
    bank_ids = fields.One2many('res.bank', 'neopro_payment_format_id', string='Banks')

    @api.constrains('account_pattern')
    def _check_account_pattern(self):
        for fmt in self.filtered('account_pattern'):
            self._check_regex(fmt, fmt.account_pattern)

    def _get_columns(self):
        return {
            'account': self.column_account, 'payer': self.column_payer, 'amount': self.column_amount,
            'date': self.column_date, 'service': self.column_service, 'txn_id': self.column_txn,
        }

    def _get_parser_spec(self):
        spec = super(NeoproPaymentFormat, self)._get_parser_spec()
        spec['account_pattern'] = self.account_pattern
        return spec

    def _parser(self):
        return payment_parser
