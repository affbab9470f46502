from odoo import api, fields, models


class NeoproContract(models.Model):
    _name = 'neopro.contract'
    _inherit = ['mail.thread', 'neopro.account.mixin']
    _description = 'Legal-entity contract'
    _order = 'account_number'
    _receipt_report = 'neopro_billing.neopro_receipt_report_contract'
    _account_field = 'contract_id'

    name = fields.Char(string='Contract number', required=True, track_visibility='onchange')
    account_number = fields.Char(string='Account number', required=True, index=True, copy=False,
                                 track_visibility='onchange')
    partner_id = fields.Many2one('res.partner', string='Company', required=True, ondelete='restrict', index=True,
                                 domain=[('is_company', '=', True)], track_visibility='onchange')
    date = fields.Date(string='Contract date', default=fields.Date.context_today)
    date_end = fields.Date(string='Valid until')
    state = fields.Selection([
        ('draft', 'Draft'),
        ('active', 'Active'),
        ('terminated', 'Terminated'),
    ], default='active', required=True, track_visibility='onchange')
    branch_id = fields.Many2one('neopro.branch', required=True, ondelete='restrict', index=True,
                                track_visibility='onchange')
    category_id = fields.Many2one('neopro.subscriber.category', required=True, ondelete='restrict',
                                  track_visibility='onchange', domain=[('legal_entity', '=', True)])
    inspector_id = fields.Many2one('neopro.inspector', ondelete='restrict')
    metering_point_ids = fields.One2many('neopro.metering.point', 'contract_id')
    meter_count = fields.Integer(compute='_compute_meter_count', string='Meters')
    meter_ids = fields.Many2many('neopro.meter', compute='_compute_meter_ids', string='Meters of the points')
    balance_ids = fields.One2many('neopro.balance', 'contract_id', string='Balances')
    operation_ids = fields.One2many('neopro.operation', 'contract_id', string='Operations')
    note = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ('account_number_unique', 'unique(account_number)', 'A contract with this account number exists already.'),
    ]

    @api.multi
    def _compute_meter_count(self):
        for contract in self:
            contract.meter_count = len(contract.metering_point_ids.mapped('meter_ids'))

    @api.multi
    def _compute_meter_ids(self):
        for contract in self:
            contract.meter_ids = contract.metering_point_ids.mapped('meter_ids')

    @api.multi
    def name_get(self):
        return [(c.id, '%s № %s' % (c.partner_id.name, c.name)) for c in self]

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
    def action_readings(self):
        """Reading history of the contract's meters."""
        self.ensure_one()
        return self.env['neopro.reading.history'].action_open(self.metering_point_ids.mapped('meter_ids'))
