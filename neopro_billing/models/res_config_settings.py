from odoo import api, fields, models

from .neopro_account import PARAM_KASPI_PAY_ALIAS, PARAM_KASPI_PAY_FIELD, PARAM_KASPI_PAY_SERVICE
from .neopro_kaspi_log import PARAM_ALLOWED_IPS, PARAM_BANK, PARAM_SECRET


class ResConfigSettings(models.TransientModel):
    """Billing settings: online Kaspi payments and the accounting link."""
    _inherit = 'res.config.settings'

    neopro_kaspi_secret = fields.Char(string='Kaspi secret',
                                      help='Shared secret Kaspi sends with every call (parameter "secret" or '
                                           'header X-Neopro-Secret). Empty: online payments are refused.')
    neopro_kaspi_allowed_ips = fields.Char(string='Kaspi IP addresses',
                                           help='Addresses or networks allowed to call, separated by commas, '
                                                'e.g. 194.187.247.152, 10.0.0.0/24. Empty: nobody.')
    neopro_kaspi_bank_id = fields.Many2one('res.bank', string='Kaspi bank',
                                           help='Bank the online payments are booked under.')
    neopro_kaspi_pay_alias = fields.Char(string='Kaspi service alias',
                                         help='The utility\'s name in its Kaspi payment page address: '
                                              'https://kaspi.kz/pay/<alias>. Empty: receipts print no QR code '
                                              'and the subscribers\' pages show no payment link.')
    neopro_kaspi_pay_service_id = fields.Char(string='Kaspi service id',
                                              help='The service_id Kaspi gave the utility.')
    neopro_kaspi_pay_account_field = fields.Char(string='Kaspi account field',
                                                 help='The id of the field Kaspi\'s payment page asks the account '
                                                      'number in (its parameter name in the link).')
    neopro_post_on_close = fields.Boolean(related='company_id.neopro_post_on_close')
    neopro_journal_id = fields.Many2one(related='company_id.neopro_journal_id')
    neopro_invoice_journal_id = fields.Many2one(related='company_id.neopro_invoice_journal_id')
    neopro_receivable_account_id = fields.Many2one(related='company_id.neopro_receivable_account_id')
    neopro_revenue_account_id = fields.Many2one(related='company_id.neopro_revenue_account_id')
    neopro_correction_account_id = fields.Many2one(related='company_id.neopro_correction_account_id')
    neopro_penalty_account_id = fields.Many2one(related='company_id.neopro_penalty_account_id')
    neopro_payment_account_id = fields.Many2one(related='company_id.neopro_payment_account_id')
    neopro_opening_account_id = fields.Many2one(related='company_id.neopro_opening_account_id')
    neopro_payment_journal_id = fields.Many2one(related='company_id.neopro_payment_journal_id')
    neopro_product_id = fields.Many2one(related='company_id.neopro_product_id')
    neopro_company_vat = fields.Char(related='company_id.vat', string='Utility BIN',
                                     help='The BIN printed on receipts when the branch has none of its own.')
    neopro_kbe = fields.Char(related='company_id.neopro_kbe')
    neopro_knp = fields.Char(related='company_id.neopro_knp')
    neopro_vat_rate = fields.Float(related='company_id.neopro_vat_rate')

    @api.model
    def get_values(self):
        res = super(ResConfigSettings, self).get_values()
        get_param = self.env['ir.config_parameter'].sudo().get_param
        bank_id = get_param(PARAM_BANK)
        bank = self.env['res.bank'].browse(int(bank_id)).exists() if bank_id else None
        res.update(
            neopro_kaspi_secret=get_param(PARAM_SECRET, default=''),
            neopro_kaspi_allowed_ips=get_param(PARAM_ALLOWED_IPS, default=''),
            neopro_kaspi_bank_id=bank.id if bank else self.env.ref('neopro_billing.bank_kaspi').id,
            neopro_kaspi_pay_alias=get_param(PARAM_KASPI_PAY_ALIAS, default=''),
            neopro_kaspi_pay_service_id=get_param(PARAM_KASPI_PAY_SERVICE, default=''),
            neopro_kaspi_pay_account_field=get_param(PARAM_KASPI_PAY_FIELD, default=''),
        )
        return res

    @api.multi
    def set_values(self):
        res = super(ResConfigSettings, self).set_values()
        set_param = self.env['ir.config_parameter'].sudo().set_param
        set_param(PARAM_SECRET, (self.neopro_kaspi_secret or '').strip())
        set_param(PARAM_ALLOWED_IPS, (self.neopro_kaspi_allowed_ips or '').strip())
        set_param(PARAM_BANK, str(self.neopro_kaspi_bank_id.id or ''))
        set_param(PARAM_KASPI_PAY_ALIAS, (self.neopro_kaspi_pay_alias or '').strip())
        set_param(PARAM_KASPI_PAY_SERVICE, (self.neopro_kaspi_pay_service_id or '').strip())
        set_param(PARAM_KASPI_PAY_FIELD, (self.neopro_kaspi_pay_account_field or '').strip())
        return res
