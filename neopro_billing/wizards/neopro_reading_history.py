from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

from ..lib.dates import format_date
from ..models.neopro_guard_mixin import local_today


class NeoproReadingHistory(models.TransientModel):
    """Readings of a chosen meter over a date range (the manual's "Показания" window)."""
    _name = 'neopro.reading.history'
    _inherit = 'neopro.transient.guard'
    _description = 'Reading history'

    meter_ids = fields.Many2many('neopro.meter', string='Meters of the account')
    # The web client evaluates a field's domain with a many2many as its list of ids (not as commands).
    meter_id = fields.Many2one('neopro.meter', required=True, domain="[('id', 'in', meter_ids)]")
    date_from = fields.Date(required=True, default=lambda self: fields.Date.to_string(
        fields.Date.from_string(local_today(self)) - relativedelta(months=12)))
    date_to = fields.Date(required=True, default=local_today)

    @api.model
    def action_open(self, meters):
        """The dialog for these meters (the first one chosen)."""
        return {
            'type': 'ir.actions.act_window',
            'name': _('Readings'),
            'res_model': self._name,
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_meter_ids': [(6, 0, meters.ids)], 'default_meter_id': meters[:1].id},
        }

    @api.multi
    def action_show(self):
        """List the meter's readings of the range."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Readings of meter %s, %s – %s') % (self.meter_id.serial_number, format_date(self.date_from),
                                                          format_date(self.date_to)),
            'res_model': 'neopro.meter.reading',
            'view_mode': 'tree,form',
            'domain': [('meter_id', '=', self.meter_id.id), ('date', '>=', self.date_from),
                       ('date', '<=', self.date_to)],
            'context': {'default_meter_id': self.meter_id.id},
        }
