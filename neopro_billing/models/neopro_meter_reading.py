from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import ledger
from ..lib.dates import format_date
from .neopro_guard_mixin import local_today, selection_label

# The days of the month subscribers give their readings on the portal (RULES §15), both included.
PARAM_READING_DAY_FROM = 'neopro_billing.reading_day_from'
PARAM_READING_DAY_TO = 'neopro_billing.reading_day_to'
READING_WINDOW_DEFAULT = (15, 25)

READING_SOURCES = [
    ('subscriber', 'Subscriber'),
    ('inspector', 'Inspector'),
    ('remote', 'Remote (АСКУЭР)'),
    ('verification', 'Verification'),
    ('migration', 'Old system'),
]
# The source of the last readings the go-live import brought from the old system (it writes them with SQL): no user
# gives it, or takes it away, so a typed reading cannot pass for the old system's, nor the old system's for a typed
# one.
MIGRATION_SOURCE = 'migration'


class NeoproMeterReading(models.Model):
    _name = 'neopro.meter.reading'
    _inherit = ['neopro.protected.mixin']
    _description = 'Meter reading'
    _order = 'meter_id, date desc'
    # The readings file links the readings it loaded (with SQL): a user linking a typed reading to a file would make
    # it look loaded, and keep the file from being deleted.
    _protected_fields = {'reading_file_id': (False,)}

    # looked up through the unique (meter, date) index: no index of its own (one less per reading written)
    meter_id = fields.Many2one('neopro.meter', required=True, ondelete='restrict', index=False)
    date = fields.Date(required=True, default=local_today, index=True)
    value = fields.Float(required=True, digits=(12, 3))
    source = fields.Selection(READING_SOURCES, required=True, default='subscriber')
    is_reset = fields.Boolean(string='Meter replaced / reset',
                              help='The counter was replaced or reset: the value may be lower than the previous one '
                                   'and counts from zero.')
    note = fields.Char()
    reading_file_id = fields.Many2one('neopro.reading.file', string='Readings file', readonly=True, copy=False,
                                      ondelete='restrict', index=True, help='The file this reading was loaded from.')
    service_id = fields.Many2one(related='meter_id.service_id', store=True, readonly=True)
    subscriber_id = fields.Many2one(related='meter_id.subscriber_id', store=True, readonly=True)
    branch_id = fields.Many2one(related='meter_id.branch_id', store=True, readonly=True, index=True)
    previous_value = fields.Float(compute='_compute_consumption', digits=(12, 3))
    consumption = fields.Float(compute='_compute_consumption', digits=(12, 3))

    _sql_constraints = [
        ('meter_date_unique', 'unique(meter_id, date)', 'A meter has one reading a day: correct the existing one.'),
        ('value_positive', 'CHECK(value >= 0)', 'A reading cannot be negative.'),
    ]

    @api.multi
    def name_get(self):
        return [(r.id, '%s: %s (%s)' % (r.meter_id.serial_number, r.value, r.date)) for r in self]

    @api.multi
    def _compute_consumption(self):
        for reading in self:
            previous = reading._get_neighbour(before=True)
            reading.previous_value = previous.value if previous else reading.meter_id.initial_value
            reading.consumption = reading.meter_id and reading.meter_id._consumption(
                reading.previous_value, reading.value, reading.is_reset)

    def _get_neighbour(self, before=True):
        """The reading of the same meter just before (or after) this one."""
        self.ensure_one()
        if not (self.meter_id and self.date):
            return self.browse()
        domain = [('meter_id', '=', self.meter_id.id), ('date', '<' if before else '>', self.date)]
        if self.id:  # a line not saved yet (form onchange) has a NewId, which is falsy
            domain.append(('id', '!=', self.id))
        return self.search(domain, order='date desc' if before else 'date asc', limit=1)

    @api.model
    def create(self, vals):
        if self.env.user.has_group('base.group_portal'):
            vals = self._prepare_portal_reading(vals)
        self._check_migration_source(vals)
        self._check_date_open(vals.get('date') or local_today(self), vals.get('meter_id'))
        return super(NeoproMeterReading, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_migration_source(vals)
        for reading in self:
            reading._check_date_open(reading.date, reading.meter_id.id)
            if vals.get('date'):
                reading._check_date_open(vals['date'], reading.meter_id.id)
        before = {r.id: r._audit_text() for r in self}
        res = super(NeoproMeterReading, self).write(vals)
        for reading in self:
            if reading._audit_text() != before[reading.id]:
                reading._audit_post(_('Reading changed: %s → %s') % (before[reading.id], reading._audit_text()))
        return res

    @api.multi
    def unlink(self):
        for reading in self:
            reading._check_date_open(reading.date, reading.meter_id.id)
            reading._audit_post(_('Reading deleted: %s') % reading._audit_text())
        return super(NeoproMeterReading, self).unlink()

    def _check_migration_source(self, vals):
        """Refuse a user the source of the old system's readings, given or taken away (create: ``self`` is
        empty)."""
        if self.env.uid == SUPERUSER_ID or 'source' not in vals:
            return
        changed = self.filtered(lambda reading: reading.source != vals['source']) if self else None
        if changed is None and vals['source'] == MIGRATION_SOURCE or changed and MIGRATION_SOURCE in (
                set(changed.mapped('source')) | {vals['source']}):
            label = selection_label(self, 'source', MIGRATION_SOURCE)
            raise AccessError(_('The source "%s" belongs to the readings the go-live import brought from the old '
                                'system: no user gives it or takes it away.') % label)

    def _audit_post(self, body):
        """Audit trail of a reading: a message on its meter (who and when come with it)."""
        # sudo: an inspector corrects readings of meters he may not edit; the author stays the real user
        self.meter_id.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)

    def _audit_text(self):
        """The reading as the audit trail writes it: date, value, source."""
        self.ensure_one()
        source = selection_label(self, 'source', self.source)
        return '%s: %s (%s)' % (format_date(self.date), self.value, source)

    @api.model
    def _check_date_open(self, date, meter_id):
        """Refuse a reading dated inside a closed billing period: the charges of that period are final."""
        try:
            date = fields.Date.to_string(fields.Date.from_string(date))
        except (TypeError, ValueError):
            raise ValidationError(_('Meter %s: "%s" is not a date.')
                                  % (self.env['neopro.meter'].browse(meter_id).serial_number, date))
        # sudo: which months are closed is the calendar of billing; a portal subscriber's reading obeys it too
        period = self.env['neopro.period'].sudo().search(
            [('state', '=', 'closed'), ('date_start', '<=', date), ('date_end', '>=', date)], limit=1)
        if period:
            raise UserError(_('Meter %s: the reading of %s lies in the closed period %s, whose charges are final. '
                              'Enter it with a date of the open period.')
                            % (self.env['neopro.meter'].browse(meter_id).serial_number, date, period.name))

    @api.model
    def _get_reading_window(self):
        """The first and last day of the month subscribers give readings on (system parameters)."""
        # sudo: the window is a public setting, printed on the portal; only administrators edit it
        get_param = self.env['ir.config_parameter'].sudo().get_param
        days = []
        for key, default in zip((PARAM_READING_DAY_FROM, PARAM_READING_DAY_TO), READING_WINDOW_DEFAULT):
            try:
                days.append(min(max(int(get_param(key) or default), 1), 31))
            except ValueError:
                days.append(default)
        return tuple(days)

    @api.model
    def _prepare_portal_reading(self, vals):
        """A subscriber's own reading from the portal: dated today, given by the subscriber, inside the reading
        window and the open period, once a day; then it obeys the rules of every reading (constraints below)."""
        meter = self.env['neopro.meter'].browse(vals.get('meter_id'))
        meter.check_access_rule('read')  # his own meter only (the record rules of the portal)
        today = self.env['neopro.guard']._today()
        day_from, day_to = self._get_reading_window()
        day = fields.Date.from_string(today).day
        if not day_from <= day <= day_to:
            raise UserError(_('Meter %s: readings are accepted from day %s to day %s of the month; today is day %s.')
                            % (meter.serial_number, day_from, day_to, day))
        # sudo: the open period is the calendar of billing, not a secret of the utility
        period = self.env['neopro.period'].sudo()._get_open_period()
        if not period or not period.date_start <= today <= period.date_end:
            raise UserError(_('Meter %s: the billing period of today is not open; readings are not accepted now.')
                            % meter.serial_number)
        if not meter.active:
            raise UserError(_('Meter %s is out of service: its readings are not accepted.') % meter.serial_number)
        if self.search_count([('meter_id', '=', meter.id), ('date', '=', today)]):
            raise UserError(_('Meter %s: a reading of today is given already; call the utility to correct it.')
                            % meter.serial_number)
        return {'meter_id': meter.id, 'date': today, 'value': vals.get('value'), 'source': 'subscriber',
                'note': _('Portal')}

    @api.model
    def _get_last_readings(self, meter_ids, date, strict=True):
        """Last reading of each meter before ``date`` (on or before it when not strict), as plain dicts."""
        if not meter_ids:
            return {}
        self.env.cr.execute("""
            SELECT DISTINCT ON (meter_id) meter_id, date, value, is_reset, source
              FROM neopro_meter_reading
             WHERE meter_id IN %s AND (date < %s OR (NOT %s AND date = %s))
          ORDER BY meter_id, date DESC
        """, (tuple(meter_ids), date, strict, date))
        return {row['meter_id']: row for row in self.env.cr.dictfetchall()}

    @api.constrains('date')
    def _check_date_bounds(self):
        for reading in self:
            self.env['neopro.guard']._check_date_bounds(
                reading.date, _('Meter %s, reading') % reading.meter_id.serial_number)

    @api.constrains('value', 'date', 'meter_id', 'is_reset')
    def _check_value(self):
        for reading in self:
            meter = reading.meter_id
            if ledger.has_too_many_digits(reading.value, meter.digits):
                raise ValidationError(_('Meter %s: the reading %s has more digits than the counter (%s).')
                                      % (meter.serial_number, reading.value, meter.digits))
            previous = reading._get_neighbour(before=True)
            if previous and ledger.is_lower_reading(previous.value, reading.value, meter.digits, reading.is_reset):
                raise ValidationError(_('Meter %s: the reading %s on %s is lower than the previous reading %s of %s. '
                                        'Check the value, or mark the meter as replaced.')
                                      % (meter.serial_number, reading.value, format_date(reading.date),
                                         previous.value, format_date(previous.date)))
            following = reading._get_neighbour(before=False)
            if following and ledger.is_lower_reading(reading.value, following.value, meter.digits, following.is_reset):
                raise ValidationError(_('Meter %s: the reading %s on %s is higher than the later reading %s of %s.')
                                      % (meter.serial_number, reading.value, format_date(reading.date),
                                         following.value, format_date(following.date)))
            if meter.removal_date and reading.date > meter.removal_date:
                raise ValidationError(_('Meter %s was removed on %s: no reading can be dated %s.')
                                      % (meter.serial_number, format_date(meter.removal_date),
                                         format_date(reading.date)))
