from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.neopro_guard_mixin import local_today


class NeoproMeterVerify(models.TransientModel):
    """The verification dialog: verification date, seal and a control reading."""
    _name = 'neopro.meter.verify'
    _inherit = 'neopro.transient.guard'
    _description = 'Meter verification'

    meter_id = fields.Many2one('neopro.meter', required=True, readonly=True)
    owner_name = fields.Char(related='meter_id.owner_name', readonly=True)
    address = fields.Char(related='meter_id.address', readonly=True)
    service_id = fields.Many2one(related='meter_id.service_id', readonly=True)
    model_id = fields.Many2one(related='meter_id.model_id', readonly=True)
    installation_date = fields.Date(related='meter_id.installation_date', readonly=True)
    active = fields.Boolean(default=True)
    seal_number = fields.Char()
    verification_date = fields.Date(required=True, default=local_today)
    reading_value = fields.Float(string='Control reading', digits=(12, 3))
    reading_date = fields.Date(default=local_today)

    @api.model
    def default_get(self, fields_list):
        res = super(NeoproMeterVerify, self).default_get(fields_list)
        meter = self.env['neopro.meter'].browse(res.get('meter_id') or self.env.context.get('default_meter_id'))
        if meter:
            res.setdefault('seal_number', meter.seal_number)
            res.setdefault('active', meter.active)
        return res

    @api.multi
    def action_save(self):
        """Mark the meter verified, with its seal and the control reading."""
        self.ensure_one()
        if self.verification_date > local_today(self):
            raise UserError(_('Meter %s: the verification date cannot be in the future.') % self.meter_id.serial_number)
        self.meter_id.write({
            'verification_date': self.verification_date,
            'seal_number': self.seal_number,
            'active': self.active,
        })
        if self.reading_value:
            Reading = self.env['neopro.meter.reading']
            date = self.reading_date or self.verification_date
            vals = {'value': self.reading_value, 'source': 'verification'}
            existing = Reading.search([('meter_id', '=', self.meter_id.id), ('date', '=', date)])
            if existing:
                existing.write(vals)
            else:
                Reading.create(dict(vals, meter_id=self.meter_id.id, date=date))
        return {'type': 'ir.actions.act_window_close'}
