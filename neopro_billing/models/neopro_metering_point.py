from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class NeoproMeteringPoint(models.Model):
    _name = 'neopro.metering.point'
    _description = 'Metering point'
    _order = 'contract_id, service_id, id'

    name = fields.Char(string='Description', help='E.g. "Main building, boiler room".')
    contract_id = fields.Many2one('neopro.contract', required=True, ondelete='cascade', index=True)
    branch_id = fields.Many2one(related='contract_id.branch_id', store=True, readonly=True)
    service_id = fields.Many2one('neopro.service', required=True, ondelete='restrict')
    meter_ids = fields.One2many('neopro.meter', 'metering_point_id', string='Meters')
    meter_id = fields.Many2one('neopro.meter', compute='_compute_meter_id', inverse='_inverse_meter_id', store=True,
                               help='The meter in service at the point.')
    volume = fields.Float(digits=(12, 3), string='Fixed monthly volume',
                          help='m³ per month billed while the point has no meter.')
    house_id = fields.Many2one('neopro.house', ondelete='restrict')
    premise_id = fields.Many2one('neopro.premise', ondelete='restrict', domain="[('house_id', '=', house_id)]")
    address = fields.Char(compute='_compute_address', store=True)
    date_start = fields.Date(string='Connected on')
    date_end = fields.Date(string='Disconnected after')
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ('volume_positive', 'CHECK(volume >= 0)', 'The fixed volume cannot be negative.'),
    ]

    @api.depends('meter_ids.active', 'meter_ids.installation_date')
    def _compute_meter_id(self):
        for point in self:
            point.meter_id = point.meter_ids.sorted(lambda m: m.installation_date or '', reverse=True)[:1]

    def _inverse_meter_id(self):
        for point in self:
            meter = point.meter_id
            if meter and meter.metering_point_id != point:
                if meter.subscriber_id or meter.house_id or meter.metering_point_id:
                    raise ValidationError(_('Metering point %s: the meter %s belongs to %s already; remove it there '
                                            'first.') % (point.display_name, meter.serial_number,
                                                         meter.owner_name or meter.address or '-'))
                meter.write({'metering_point_id': point.id})

    @api.depends('house_id.full_address', 'premise_id.full_address')
    def _compute_address(self):
        for point in self:
            point.address = point.premise_id.full_address or point.house_id.full_address or False

    @api.multi
    def name_get(self):
        return [(p.id, '%s / %s%s' % (p.contract_id.name, p.service_id.short_name,
                                      p.meter_id and ' № %s' % p.meter_id.serial_number or '')) for p in self]

    @api.constrains('meter_ids', 'meter_id', 'service_id')
    def _check_meter_service(self):
        for point in self:
            wrong = point.meter_ids.filtered(lambda m: m.service_id != point.service_id)
            if wrong:
                raise ValidationError(_('Metering point %s: the meter %s measures %s, not %s.')
                                      % (point.display_name, wrong[0].serial_number, wrong[0].service_id.name,
                                         point.service_id.name))
