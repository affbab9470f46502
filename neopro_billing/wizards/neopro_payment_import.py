import base64

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class NeoproPaymentImport(models.TransientModel):
    """Upload a bank registry (Импорт платежей → Загрузить файл)."""
    _name = 'neopro.payment.import'
    _inherit = 'neopro.transient.guard'
    _description = 'Load a bank payment file'

    bank_id = fields.Many2one('res.bank', required=True)
    format_id = fields.Many2one('neopro.payment.format', string='File format',
                                help="Empty: the bank's format.")
    data_file = fields.Binary(string='File', required=True)
    filename = fields.Char()

    @api.onchange('bank_id')
    def _onchange_bank_id(self):
        if self.bank_id.neopro_payment_format_id:
            self.format_id = self.bank_id.neopro_payment_format_id

    @api.onchange('format_id')
    def _onchange_format_id(self):
        """Propose the bank that sends files of the chosen format (the only one; else offer those that do); a bank
        chosen already stays (a bank may send a file in another format)."""
        if not self.format_id or self.bank_id:
            return {}
        banks = self.env['res.bank'].search([('neopro_payment_format_id', '=', self.format_id.id)])
        if len(banks) == 1:
            self.bank_id = banks
            return {}
        return {'domain': {'bank_id': [('id', 'in', banks.ids)] if banks else []}}

    @api.multi
    def action_import(self):
        """Load the file and open its record: payments booked and load protocol."""
        self.ensure_one()
        payment_format = self.format_id or self.bank_id.neopro_payment_format_id
        if not payment_format:
            raise UserError(_('Bank %s has no payment file format: choose one, or set it on the bank.')
                            % self.bank_id.name)
        record = self.env['neopro.payment.file']._import_registry(
            self.bank_id, payment_format, base64.b64decode(self.data_file), self.filename)
        return {
            'type': 'ir.actions.act_window',
            'name': _('Load protocol'),
            'res_model': 'neopro.payment.file',
            'res_id': record.id,
            'view_mode': 'form',
            'target': 'current',
        }
