import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import kz_id
from .neopro_guard_mixin import local_today

_logger = logging.getLogger(__name__)


def has_trigram_extension(cr):
    """Whether pg_trgm is installed in the database, installing it when it is available (a trusted extension:
    a database owner may create it)."""
    cr.execute("SELECT EXISTS(SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'), "
               "EXISTS(SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')")
    installed, available = cr.fetchone()
    if not installed and available:
        cr.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        installed = True
    if not installed:
        _logger.warning('PostgreSQL has no pg_trgm extension (package postgresql-contrib): searching subscribers '
                        'by name or address reads the whole table.')
    return installed


class NeoproSubscriber(models.Model):
    _name = 'neopro.subscriber'
    _inherit = ['mail.thread', 'neopro.account.mixin']
    _inherits = {'neopro.account': 'account_id'}
    _description = 'Subscriber (residential account)'
    _order = 'account_number'
    _receipt_report = 'neopro_billing.neopro_receipt_report'
    _holder_type = 'subscriber'

    # indexed by its unique constraint
    account_id = fields.Many2one('neopro.account', string='Personal account', required=True, ondelete='restrict',
                                 auto_join=True)
    name = fields.Char(compute='_compute_name', inverse='_inverse_name', store=True, index=True, required=True,
                       track_visibility='onchange', string='Full name')
    last_name = fields.Char()
    first_name = fields.Char()
    patronymic = fields.Char()
    house_id = fields.Many2one('neopro.house', ondelete='restrict', index=True, track_visibility='onchange')
    # the apartments offered: those of the house where nobody lives yet (and the subscriber's own)
    premise_id = fields.Many2one('neopro.premise', ondelete='restrict', index=True, track_visibility='onchange',
                                 domain="[('house_id', '=', house_id), '|', ('is_free', '=', True), "
                                        "('id', '=', premise_id)]", string='Apartment')
    address = fields.Char(compute='_compute_address', store=True, index=True)
    residents = fields.Integer(default=1, track_visibility='onchange')
    category_id = fields.Many2one('neopro.subscriber.category', required=True, ondelete='restrict',
                                  track_visibility='onchange', string='Type')
    amenity_level_id = fields.Many2one('neopro.amenity.level', ondelete='restrict', track_visibility='onchange')
    inspector_id = fields.Many2one('neopro.inspector', ondelete='restrict')
    phone = fields.Char()
    email = fields.Char()
    partner_id = fields.Many2one('res.partner', string='Portal contact', ondelete='restrict', index=True,
                                 copy=False, track_visibility='onchange',
                                 help='The person whose portal login sees this account (made by the portal '
                                      'invitation when empty).')
    iin = fields.Char(string='IIN/BIN')
    electricity_account = fields.Char()
    court_case = fields.Boolean(track_visibility='onchange')
    court_notes = fields.Text()
    contract_number = fields.Char(string='Contract')
    employee_id = fields.Many2one('res.users', string='Responsible employee', ondelete='set null')
    note = fields.Text()
    active = fields.Boolean(default=True, track_visibility='onchange')
    meter_ids = fields.One2many('neopro.meter', 'subscriber_id')
    meter_in_service_ids = fields.Many2many('neopro.meter', compute='_compute_meter_in_service_ids',
                                            string='Meters in service')
    meter_count = fields.Integer(compute='_compute_meter_count', store=True, string='Meters')
    quick_search = fields.Char(compute='_compute_quick_search', search='_search_quick_search',
                               string='Account, name, address or meter',
                               help='The search box: account number, full name, address or meter serial.')
    connection_ids = fields.One2many('neopro.service.connection', 'subscriber_id')
    service_ids = fields.Many2many('neopro.service', compute='_compute_service_ids', inverse='_inverse_service_ids',
                                   search='_search_service_ids', string='Services')

    _sql_constraints = [
        ('account_unique', 'unique(account_id)', 'An account belongs to one subscriber.'),
        ('residents_positive', 'CHECK(residents >= 0)', 'The number of residents cannot be negative.'),
    ]

    @api.model_cr
    def init(self):
        """Indexes of the search box (``_get_quick_search_domain``), so it answers at once on 100 000 accounts.

        Names and addresses are searched with ``ilike '%x%'``: trigram indexes let PostgreSQL combine the
        conditions of the search box in a bitmap OR of index scans instead of reading the whole table (the account
        number's prefix index is the account's). The lists count the active subscribers of the user's branches
        through the account (where the branch is): a partial index of their accounts lets PostgreSQL count from the
        index alone instead of reading the whole, wide table (240 → 115 ms on 100 000 subscribers).
        """
        cr = self.env.cr
        cr.execute('CREATE INDEX IF NOT EXISTS neopro_subscriber_active_account_index '
                   'ON neopro_subscriber (account_id) WHERE active')
        if has_trigram_extension(cr):
            cr.execute('CREATE INDEX IF NOT EXISTS neopro_subscriber_name_trgm_index '
                       'ON neopro_subscriber USING gin (name gin_trgm_ops)')
            cr.execute('CREATE INDEX IF NOT EXISTS neopro_subscriber_address_trgm_index '
                       'ON neopro_subscriber USING gin (address gin_trgm_ops)')

    @api.model
    def _get_full_name(self, last_name, first_name, patronymic):
        """The full name made of its parts ("Фамилия Имя Отчество"), False when all are empty."""
        return ' '.join(p.strip() for p in (last_name, first_name, patronymic) if p and p.strip()) or False

    @api.depends('last_name', 'first_name', 'patronymic')
    def _compute_name(self):
        for sub in self:
            full_name = self._get_full_name(sub.last_name, sub.first_name, sub.patronymic)
            if full_name:
                sub.name = full_name

    def _inverse_name(self):
        for sub in self:
            # a name made of the current parts keeps them as typed (a patronymic "Ахмед оглы" stays whole)
            if sub.name == self._get_full_name(sub.last_name, sub.first_name, sub.patronymic):
                continue
            parts = (sub.name or '').split(None, 2)
            sub.last_name, sub.first_name, sub.patronymic = (parts + [False] * 3)[:3]

    @api.depends('house_id.full_address', 'premise_id.full_address')
    def _compute_address(self):
        for sub in self:
            sub.address = sub.premise_id.full_address or sub.house_id.full_address or False

    def _get_account_holder_address(self):
        self.ensure_one()
        return self.address

    def _get_receipt_info(self):
        """Account number, payer, address and residents, as the receipt prints them (a resident: no buyer's BIN,
        no VAT line)."""
        self.ensure_one()
        return {'account_number': self.account_number, 'payer': self.name, 'address': self.address or '',
                'residents': self.residents, 'contract': False, 'buyer_bin': False, 'vat_payer': False}

    def _get_receipt_email(self):
        """The subscriber's e-mail, else its contact's."""
        self.ensure_one()
        return self.email or self.partner_id.email or False

    def _prepare_portal_partner(self):
        """A contact with the subscriber's name, address, phone and e-mail."""
        self.ensure_one()
        return {'name': self.name, 'street': self.address or False, 'phone': self.phone or False,
                'email': self.email or False, 'customer': True, 'company_type': 'person',
                'neopro_branch_id': self.branch_id.id,
                'lang': self.env.user.lang or 'ru_RU'}

    def _get_norm_volume(self, charge):
        """Norm in force (on the first day of the charge's period) × residents."""
        self.ensure_one()
        if not self.amenity_level_id:
            return 0.0
        return self.env['neopro.norm']._get_volume(charge.service_id, self.amenity_level_id,
                                                   charge.period_id.date_start) * self.residents

    def _get_masked_name(self):
        """The name told to a payer who knows only the account number: surname and initials."""
        self.ensure_one()
        parts = (self.name or '').split()
        return ' '.join(parts[:1] + ['%s.' % p[0] for p in parts[1:]])

    def _compute_quick_search(self):
        for sub in self:
            sub.quick_search = False

    def _search_quick_search(self, operator, value):
        return self._get_quick_search_domain(value or '', operator)

    @api.depends('meter_ids.removal_date')
    def _compute_meter_in_service_ids(self):
        for sub in self:
            sub.meter_in_service_ids = sub.meter_ids.filtered('in_service')

    @api.depends('meter_ids.active')
    def _compute_meter_count(self):
        for sub in self:
            sub.meter_count = len(sub.meter_ids)

    @api.depends('connection_ids.service_id', 'connection_ids.date_start', 'connection_ids.date_end')
    def _compute_service_ids(self):
        today = local_today(self)
        for sub in self:
            sub.service_ids = sub.connection_ids.filtered(lambda c: c._is_active_on(today)).mapped('service_id')

    def _inverse_service_ids(self):
        today = local_today(self)
        for sub in self:
            current = sub.connection_ids.filtered(lambda c: c._is_active_on(today))
            for service in sub.service_ids - current.mapped('service_id'):
                known = sub.connection_ids.filtered(lambda c: c.service_id == service)
                planned = known.filtered(lambda c: c.date_start and c.date_start > today)[:1]
                if planned:
                    planned.date_start = today
                else:
                    # a first connection has no date bound; a service connected before starts again today
                    sub.connection_ids = [(0, 0, {'service_id': service.id, 'date_start': known and today or False})]
            current.filtered(lambda c: c.service_id not in sub.service_ids)._disconnect(today)

    def _search_service_ids(self, operator, value):
        today = local_today(self)
        connections = self.env['neopro.service.connection'].search([
            ('service_id', operator, value), ('subscriber_id', '!=', False),
            '|', ('date_start', '=', False), ('date_start', '<=', today),
            '|', ('date_end', '=', False), ('date_end', '>=', today),
        ])
        return [('id', 'in', connections.mapped('subscriber_id').ids)]

    @api.constrains('iin')
    def _check_iin(self):
        for sub in self.filtered('iin'):
            if not (sub.iin.isdigit() and len(sub.iin) == 12):
                raise ValidationError(_('Subscriber %s: the IIN/BIN must be 12 digits, not "%s".')
                                      % (sub.account_number, sub.iin))
            if not kz_id.is_valid(sub.iin):
                raise ValidationError(_('Subscriber %s: the IIN/BIN "%s" is wrong: its check digit (the last one) '
                                        'does not match the first 11 digits.') % (sub.account_number, sub.iin))

    @api.constrains('premise_id', 'house_id')
    def _check_premise(self):
        for sub in self.filtered('premise_id'):
            if sub.premise_id.house_id != sub.house_id:
                raise ValidationError(_('Subscriber %s: the apartment %s is not in the house %s.')
                                      % (sub.account_number, sub.premise_id.number, sub.house_id.full_address))

    @api.model
    def default_get(self, fields_list):
        """A new subscriber: the operator's branch (the first of his branches) and its next free account number."""
        res = super(NeoproSubscriber, self).default_get(fields_list)
        branch_id = res.get('branch_id') or self.env.user.neopro_branch_ids[:1].id
        if 'branch_id' in fields_list and not res.get('branch_id'):
            res['branch_id'] = branch_id or False
        if 'account_number' in fields_list and not res.get('account_number') and branch_id:
            res['account_number'] = self.env['neopro.branch'].browse(branch_id)._get_free_account_number()
        return res

    @api.onchange('branch_id')
    def _onchange_branch_id(self):
        """A new subscriber moved to another branch: the number proposed becomes that branch's next free one (a
        number typed by the operator stays)."""
        origin = getattr(self, '_origin', None)  # set by the web client's onchange: the record being edited
        if (origin and origin.id) or not self.branch_id:
            return
        proposals = {branch._get_free_account_number() for branch in self.env['neopro.branch'].search([])}
        if not self.account_number or self.account_number in proposals:
            self.account_number = self.branch_id._get_free_account_number()

    @api.onchange('premise_id')
    def _onchange_premise_id(self):
        if self.premise_id:
            self.house_id = self.premise_id.house_id

    @api.onchange('house_id')
    def _onchange_house_id(self):
        if self.house_id.branch_id and not self.branch_id:
            self.branch_id = self.house_id.branch_id

    @api.model
    def create(self, vals):
        # The form sends the parts of the name, not the (read-only) full name: the column is NOT NULL, so the
        # name is made here before the row is inserted, not by the recomputation that follows it.
        if not vals.get('name'):
            full_name = self._get_full_name(vals.get('last_name'), vals.get('first_name'), vals.get('patronymic'))
            if full_name:
                vals = dict(vals, name=full_name)
        subscriber = super(NeoproSubscriber, self).create(vals)
        subscriber.branch_id._take_account_number(subscriber.account_number)
        return subscriber

    @api.multi
    def name_get(self):
        return [(s.id, '%s %s' % (s.account_number, s.name)) for s in self]

    @api.model
    def _name_search(self, name, args=None, operator='ilike', limit=100, name_get_uid=None):
        """One search box: account number, name, address or meter serial number."""
        args = list(args or [])
        if name:
            args += self._get_quick_search_domain(name, operator)
        return self.search(args, limit=limit).name_get()

    @api.model
    def _get_quick_search_domain(self, text, operator='ilike'):
        """Domain matching an account number, full name, address or meter serial.

        The account number is the account's: its prefix is looked up first (an index range), so the conditions on
        the subscribers combine in a bitmap OR of their indexes, as the meter serial's do.
        """
        if operator in ('=', '=ilike', '=like'):
            return ['|', ('account_id', 'in', self.env['neopro.account']._search([('account_number', '=', text)])),
                    ('name', operator, text)]
        accounts = self.env['neopro.account']._search([('account_number', '=like', text + '%')])
        return ['|', '|', '|', ('account_id', 'in', accounts), ('name', operator, text),
                ('address', operator, text), ('meter_ids.serial_number', '=like', text + '%')]

    @api.multi
    def action_services(self):
        """Open the Services window: connections and meters of the subscriber."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Services of %s') % self.display_name,
            'res_model': 'neopro.subscriber',
            'res_id': self.id,
            'view_mode': 'form',
            'view_id': self.env.ref('neopro_billing.neopro_subscriber_view_form_services').id,
            'target': 'new',
        }

    @api.multi
    def action_readings(self):
        """Reading history of the subscriber's meters."""
        self.ensure_one()
        return self.env['neopro.reading.history'].action_open(self.meter_ids)


class NeoproServiceConnection(models.Model):
    _name = 'neopro.service.connection'
    _description = 'Service connection'
    _order = 'service_id, date_start desc'

    subscriber_id = fields.Many2one('neopro.subscriber', required=True, ondelete='cascade', index=True)
    branch_id = fields.Many2one(related='subscriber_id.branch_id', store=True, readonly=True)
    service_id = fields.Many2one('neopro.service', required=True, ondelete='restrict')
    date_start = fields.Date(string='Connected on', help='Empty: connected since before billing started.')
    date_end = fields.Date(string='Disconnected after', help='Last day the service is provided; empty: open.')
    note = fields.Char()

    _sql_constraints = [
        ('dates_ordered', 'CHECK(date_end IS NULL OR date_start IS NULL OR date_end >= date_start)',
         'A service cannot be disconnected before it is connected.'),
    ]

    def _is_active_on(self, date):
        self.ensure_one()
        return (not self.date_start or self.date_start <= date) and (not self.date_end or self.date_end >= date)

    def _disconnect(self, date):
        """Stop the connections from ``date`` on: they end the day before; ones not yet started disappear."""
        future = self.filtered(lambda c: c.date_start and c.date_start >= date)
        future.unlink()
        previous = fields.Date.to_string(fields.Date.from_string(date) - timedelta(days=1))
        (self - future).write({'date_end': previous})

    @api.constrains('subscriber_id', 'service_id', 'date_start', 'date_end')
    def _check_overlap(self):
        for con in self:
            for other in con.subscriber_id.connection_ids.filtered(lambda c: c.service_id == con.service_id) - con:
                if (not con.date_end or not other.date_start or other.date_start <= con.date_end) and \
                        (not other.date_end or not con.date_start or con.date_start <= other.date_end):
                    raise ValidationError(_('Subscriber %s: the service %s is connected twice over the same days.')
                                          % (con.subscriber_id.account_number, con.service_id.name))
