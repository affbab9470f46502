from odoo import _, api, fields, models

from .neopro_guard_mixin import local_today


class NeoproContract(models.Model):
    _name = 'neopro.contract'
    _inherit = ['mail.thread', 'neopro.account.mixin']
    _inherits = {'neopro.account': 'account_id'}
    _description = 'Legal-entity contract'
    _order = 'account_number'
    _receipt_report = 'neopro_billing.neopro_receipt_report_contract'
    _holder_type = 'contract'

    # indexed by its unique constraint
    account_id = fields.Many2one('neopro.account', string='Personal account', required=True, ondelete='restrict',
                                 auto_join=True)
    name = fields.Char(string='Contract number', required=True, track_visibility='onchange')
    partner_id = fields.Many2one('res.partner', string='Company', required=True, ondelete='restrict', index=True,
                                 domain=[('is_company', '=', True)], track_visibility='onchange')
    date = fields.Date(string='Contract date', default=local_today)
    date_end = fields.Date(string='Valid until')
    state = fields.Selection([
        ('draft', 'Draft'),
        ('active', 'Active'),
        ('terminated', 'Terminated'),
    ], default='active', required=True, track_visibility='onchange')
    category_id = fields.Many2one('neopro.subscriber.category', required=True, ondelete='restrict',
                                  track_visibility='onchange', domain=[('legal_entity', '=', True)])
    inspector_id = fields.Many2one('neopro.inspector', ondelete='restrict')
    metering_point_ids = fields.One2many('neopro.metering.point', 'contract_id')
    meter_count = fields.Integer(compute='_compute_meter_count', string='Meters')
    meter_ids = fields.Many2many('neopro.meter', compute='_compute_meter_ids', string='Meters in service',
                                 help='The meters of the points, removed ones left out.')
    note = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ('account_unique', 'unique(account_id)', 'An account belongs to one contract.'),
    ]

    @api.multi
    def _compute_meter_count(self):
        for contract in self:
            contract.meter_count = len(contract.metering_point_ids.mapped('meter_ids'))

    @api.multi
    def _compute_meter_ids(self):
        for contract in self:
            contract.meter_ids = contract.metering_point_ids.mapped('meter_ids').filtered('in_service')

    @api.multi
    def name_get(self):
        return [(c.id, '%s № %s' % (c.partner_id.name, c.name)) for c in self]

    def _get_account_holder_name(self):
        self.ensure_one()
        return '%s № %s' % (self.partner_id.name, self.name)

    def _get_account_holder_address(self):
        self.ensure_one()
        return self.partner_id.neopro_address

    def _get_payer_name(self):
        self.ensure_one()
        return self.partner_id.name

    def _get_receipt_info(self):
        """Account number, payer, address, contract number and the buyer's BIN, as the receipt prints them (a legal
        entity's receipt shows the VAT included)."""
        self.ensure_one()
        partner = self.partner_id
        return {'account_number': self.account_number, 'payer': partner.name,
                'address': partner.neopro_address or partner.neopro_legal_address or '', 'residents': False,
                'contract': self.name, 'buyer_bin': partner.neopro_bin or '', 'vat_payer': True}

    def _get_norm_volume(self, charge):
        """The fixed monthly volume of the charge's metering point."""
        self.ensure_one()
        return charge.metering_point_id.volume

    def _get_masked_name(self):
        """The name told to a payer who knows only the account number: the company's name."""
        self.ensure_one()
        return self.partner_id.name or ''

    def _is_account_open(self):
        self.ensure_one()
        return self.active and self.state != 'terminated'

    @api.model
    def _name_search(self, name, args=None, operator='ilike', limit=100, name_get_uid=None):
        args = list(args or [])
        if name:
            args += ['|', '|', '|', ('account_number', '=like', name + '%'), ('name', operator, name),
                     ('partner_id.name', operator, name),
                     ('metering_point_ids.meter_ids.serial_number', '=like', name + '%')]
        return self.search(args, limit=limit).name_get()

    @api.onchange('partner_id')
    def _onchange_partner_id(self):
        if self.partner_id.neopro_branch_id and not self.branch_id:
            self.branch_id = self.partner_id.neopro_branch_id

    @api.multi
    def action_open_form(self):
        """The contract in its own full form, with its buttons (from the contractor's list of contracts)."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': self.display_name,
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'views': [(False, 'form')],
            'target': 'current',
        }

    @api.multi
    def action_metering_points(self):
        """The manual's Точки учета window: the contract's metering points and their meters, editable."""
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'name': _('Metering points of %s') % self.display_name,
            'res_model': 'neopro.metering.point',
            'view_mode': 'tree',
            'views': [(self.env.ref('neopro_billing.neopro_metering_point_view_tree').id, 'tree')],
            'domain': [('contract_id', '=', self.id)],
            'context': {'default_contract_id': self.id},
            'target': 'current',
        }

    @api.multi
    def action_readings(self):
        """Reading history of the contract's meters."""
        self.ensure_one()
        return self.env['neopro.reading.history'].action_open(self.metering_point_ids.mapped('meter_ids'))
