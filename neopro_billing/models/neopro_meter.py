from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import ledger
from ..lib.dates import format_date
from .neopro_guard_mixin import local_today
from .neopro_meter_reading import READING_SOURCES


class NeoproMeter(models.Model):
    _name = 'neopro.meter'
    _inherit = 'mail.thread'
    _description = 'Water meter'
    _order = 'serial_number'
    _rec_name = 'serial_number'

    serial_number = fields.Char(required=True, index=True, track_visibility='onchange')
    service_id = fields.Many2one('neopro.service', required=True, ondelete='restrict', track_visibility='onchange')
    type_id = fields.Many2one('neopro.meter.type', ondelete='restrict')
    brand_id = fields.Many2one('neopro.meter.brand', ondelete='restrict')
    model_id = fields.Many2one('neopro.meter.model', ondelete='restrict')
    manufacturer = fields.Char()
    manufacture_date = fields.Date()
    installer = fields.Char(string='Installed by')
    location = fields.Char(string='Place of installation', help='E.g. bathroom, kitchen, basement.')
    in_shaft = fields.Boolean(string='In shaft')
    installation_date = fields.Date(track_visibility='onchange')
    commissioning_date = fields.Date(string='Commissioning date')
    removal_date = fields.Date(track_visibility='onchange', help='Day the meter was taken out of service.')
    in_service = fields.Boolean(compute='_compute_in_service', search='_search_in_service',
                                help='Not removed: no removal date, or one after today.')
    initial_value = fields.Float(digits=(12, 3), help='Reading of the counter when it was installed.')
    seal_number = fields.Char(index=True, track_visibility='onchange')
    verification_date = fields.Date(track_visibility='onchange')
    verification_interval = fields.Integer(string='Verification interval (months)', default=48)
    next_verification_date = fields.Date(compute='_compute_next_verification_date', store=True, index=True)
    active = fields.Boolean(default=True, track_visibility='onchange')
    is_remote = fields.Boolean(string='Remote', help='Read remotely (АСКУЭР).')
    is_virtual = fields.Boolean(string='Virtual')
    is_common_house = fields.Boolean(string='Common-house meter (ОДПУ)')
    digits = fields.Integer(default=5, help='Digits of the counter: after 10^digits − 1 it rolls over to 0.')
    subscriber_id = fields.Many2one('neopro.subscriber', ondelete='restrict', index=True, track_visibility='onchange')
    metering_point_id = fields.Many2one('neopro.metering.point', ondelete='restrict', index=True,
                                        track_visibility='onchange')
    house_id = fields.Many2one('neopro.house', ondelete='restrict', index=True, string='House (common meter)')
    contract_id = fields.Many2one(related='metering_point_id.contract_id', readonly=True, store=True)
    account_id = fields.Many2one('neopro.account', compute='_compute_owner', store=True, index=True,
                                 help='The account billed for this meter.')
    branch_id = fields.Many2one('neopro.branch', compute='_compute_owner', store=True, index=True)
    owner_name = fields.Char(compute='_compute_owner', store=True, string='Owner')
    address = fields.Char(compute='_compute_owner', store=True, index=True)
    reading_ids = fields.One2many('neopro.meter.reading', 'meter_id', string='Readings')
    previous_value = fields.Float(compute='_compute_readings', digits=(12, 3), string='Previous reading')
    previous_date = fields.Date(compute='_compute_readings')
    current_value = fields.Float(compute='_compute_readings', inverse='_inverse_current_value', digits=(12, 3),
                                 string='Current reading')
    current_date = fields.Date(compute='_compute_readings')
    current_source = fields.Selection(READING_SOURCES, compute='_compute_readings', string='Given by')
    consumption = fields.Float(compute='_compute_readings', digits=(12, 3))

    _sql_constraints = [
        ('digits_range', 'CHECK(digits >= 0 AND digits <= 12)', 'A counter has between 0 and 12 digits.'),
        ('interval_positive', 'CHECK(verification_interval > 0)', 'The verification interval must be positive.'),
    ]

    @api.model_cr
    def init(self):
        """Prefix search of serial and seal numbers (``=like 'x%'``, the search views and the subscriber's search
        box): ``varchar_pattern_ops`` btrees, since the plain ones of ``index=True`` do not serve LIKE under a
        collation other than C."""
        self.env.cr.execute('CREATE INDEX IF NOT EXISTS neopro_meter_serial_number_prefix_index '
                            'ON neopro_meter (serial_number varchar_pattern_ops)')
        self.env.cr.execute('CREATE INDEX IF NOT EXISTS neopro_meter_seal_number_prefix_index '
                            'ON neopro_meter (seal_number varchar_pattern_ops)')

    @api.depends('removal_date')
    def _compute_in_service(self):
        today = local_today(self)
        for meter in self:
            meter.in_service = not meter.removal_date or meter.removal_date > today

    def _search_in_service(self, operator, value):
        in_service = ['|', ('removal_date', '=', False), ('removal_date', '>', local_today(self))]
        return in_service if (operator == '=') == bool(value) else ['!'] + in_service

    @api.depends('verification_date', 'verification_interval', 'installation_date')
    def _compute_next_verification_date(self):
        for meter in self:
            meter.next_verification_date = self._get_next_verification_date(
                meter.verification_date or meter.installation_date, meter.verification_interval)

    @api.model
    def _get_next_verification_date(self, start, months):
        """The day a meter verified (or installed) on ``start`` is due for verification, ``months`` later."""
        return start and fields.Date.to_string(fields.Date.from_string(start) + relativedelta(months=months))

    @api.depends('subscriber_id.account_id', 'subscriber_id.branch_id', 'subscriber_id.address', 'subscriber_id.name',
                 'metering_point_id.contract_id.account_id', 'metering_point_id.branch_id', 'metering_point_id.address',
                 'metering_point_id.contract_id.partner_id',
                 'house_id.branch_id', 'house_id.full_address')
    def _compute_owner(self):
        for meter in self:
            meter.account_id = meter.subscriber_id.account_id or meter.metering_point_id.contract_id.account_id
            if meter.subscriber_id:
                sub = meter.subscriber_id
                meter.branch_id, meter.owner_name, meter.address = sub.branch_id, sub.name, sub.address
            elif meter.metering_point_id:
                point = meter.metering_point_id
                meter.branch_id = point.branch_id
                meter.owner_name = point.contract_id.partner_id.name
                meter.address = point.address or point.contract_id.partner_id.neopro_address
            elif meter.house_id:
                meter.branch_id = meter.house_id.branch_id
                meter.owner_name = False  # the house's own meter: the address says whose it is
                meter.address = meter.house_id.full_address
            else:
                meter.branch_id = meter.owner_name = meter.address = False

    def _get_current_month(self):
        """First and last day of the month readings are entered for (the open billing period)."""
        period = self.env['neopro.period']._get_open_period()
        if period:
            return period.date_start, period.date_end
        today = fields.Date.from_string(local_today(self))
        start = today.replace(day=1)
        return fields.Date.to_string(start), fields.Date.to_string(start + relativedelta(months=1, days=-1))

    @api.multi
    def _compute_readings(self):
        month_start, month_end = self._get_current_month()
        readings = self.env['neopro.meter.reading']._get_last_readings(self.ids, month_start)
        current = self.env['neopro.meter.reading']._get_last_readings(self.ids, month_end, strict=False)
        for meter in self:
            prev = readings.get(meter.id)
            cur = current.get(meter.id)
            if cur and prev and cur['date'] == prev['date']:
                cur = None
            meter.previous_value = prev['value'] if prev else meter.initial_value
            meter.previous_date = prev and prev['date']
            meter.current_value = cur['value'] if cur else 0.0
            meter.current_date = cur and cur['date']
            meter.current_source = cur and cur['source']  # nobody gave a reading not given yet
            meter.consumption = meter._consumption(meter.previous_value, cur['value'], cur['is_reset']) \
                if cur else 0.0

    def _inverse_current_value(self):
        """Typing a value in the current-reading cell saves the reading of the open month (or corrects it)."""
        month_start, month_end = self._get_current_month()
        today = local_today(self)
        date = min(max(today, month_start), month_end)
        Reading = self.env['neopro.meter.reading']
        for meter in self:
            if not meter.current_value:
                continue
            existing = Reading.search([('meter_id', '=', meter.id), ('date', '>=', month_start),
                                       ('date', '<=', month_end)], order='date desc', limit=1)
            if existing:
                existing.value = meter.current_value
            else:
                Reading.create({'meter_id': meter.id, 'date': date, 'value': meter.current_value,
                                'source': self.env.context.get('neopro_reading_source', 'inspector')})

    def _consumption(self, previous, value, is_reset=False):
        """Volume between two counter values, through a rollover past 10^digits (lib.ledger.consumption)."""
        self.ensure_one()
        return ledger.consumption(previous, value, self.digits, is_reset)

    def _is_rollover(self, previous, value):
        """Whether a smaller value is a rollover (lib.ledger.is_rollover)."""
        self.ensure_one()
        return ledger.is_rollover(previous, value, self.digits)

    @api.constrains('subscriber_id', 'metering_point_id', 'house_id')
    def _check_owner(self):
        for meter in self:
            if len([o for o in (meter.subscriber_id, meter.metering_point_id, meter.house_id) if o]) > 1:
                raise ValidationError(_('Meter %s: it belongs either to a subscriber, to a metering point or to a '
                                        'house, not to several.') % meter.serial_number)

    @api.constrains('metering_point_id', 'service_id')
    def _check_metering_point_service(self):
        self.mapped('metering_point_id')._check_meter_service()

    @api.constrains('verification_date')
    def _check_verification_date(self):
        for meter in self.filtered('verification_date'):
            if meter.verification_date > self.env['neopro.guard']._today():
                raise ValidationError(_('Meter %s: the verification date %s is in the future.')
                                      % (meter.serial_number, format_date(meter.verification_date)))

    @api.onchange('model_id')
    def _onchange_model_id(self):
        model = self.model_id
        if model:
            self.brand_id = model.brand_id or self.brand_id
            self.type_id = model.type_id or self.type_id
            self.manufacturer = model.brand_id.manufacturer or self.manufacturer
            self.digits = model.digits or self.digits
            if model.verification_interval_id:
                self.verification_interval = model.verification_interval_id.months

    @api.onchange('house_id')
    def _onchange_house_id(self):
        if self.house_id:
            self.is_common_house = True

    @api.multi
    def write(self, vals):
        # A verification recorded now (the dialog, or the field changed) is dated inside the billing history; a
        # meter created with its past may carry an earlier one (the constraint above still refuses the future).
        if vals.get('verification_date'):
            for meter in self:
                self.env['neopro.guard']._check_date_bounds(vals['verification_date'],
                                                            _('Meter %s, verification') % meter.serial_number)
        return super(NeoproMeter, self).write(vals)

    @api.multi
    def action_verify(self):
        """Open the verification dialog of the meter."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Meter verification'),
            'res_model': 'neopro.meter.verify',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_meter_id': self.id},
        }

    @api.multi
    def action_readings(self):
        """Reading history of this meter."""
        self.ensure_one()
        return self.env['neopro.reading.history'].action_open(self)
