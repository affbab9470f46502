from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib import kz_id


class ResPartner(models.Model):
    """A legal entity (contractor, Юрлицо) with its billing contracts."""
    _inherit = 'res.partner'

    neopro_account_number = fields.Char(string='Contractor account number', index=True, copy=False)
    neopro_bin = fields.Char(string='BIN')
    neopro_branch_id = fields.Many2one('neopro.branch', string='Billing branch', ondelete='restrict')
    neopro_house_id = fields.Many2one('neopro.house', string='Actual address (house)', ondelete='restrict')
    neopro_premise_id = fields.Many2one('neopro.premise', string='Actual address (premise)', ondelete='restrict',
                                        domain="[('house_id', '=', neopro_house_id)]")
    neopro_address = fields.Char(string='Actual address', compute='_compute_neopro_address', store=True)
    neopro_legal_address = fields.Char(string='Legal address')
    neopro_contract_ids = fields.One2many('neopro.contract', 'partner_id', string='Billing contracts')
    neopro_meter_count = fields.Integer(string='Meters', compute='_compute_neopro_meter_count')
    neopro_is_contractor = fields.Boolean(string='Billing contractor', index=True)

    _sql_constraints = [
        ('neopro_account_number_unique', 'unique(neopro_account_number)',
         'A contractor with this account number exists already.'),
    ]

    @api.depends('neopro_house_id.full_address', 'neopro_premise_id.full_address')
    def _compute_neopro_address(self):
        for partner in self:
            partner.neopro_address = partner.neopro_premise_id.full_address or partner.neopro_house_id.full_address \
                or False

    @api.multi
    def _compute_neopro_meter_count(self):
        data = self.env['neopro.meter'].read_group(
            [('metering_point_id.contract_id.partner_id', 'in', self.ids)],
            ['metering_point_id'], ['metering_point_id'])
        points = self.env['neopro.metering.point'].browse([d['metering_point_id'][0] for d in data])
        count_by_point = {d['metering_point_id'][0]: d['metering_point_id_count'] for d in data}
        for partner in self:
            partner.neopro_meter_count = sum(count_by_point[p.id] for p in points
                                             if p.contract_id.partner_id == partner)

    @api.constrains('neopro_bin')
    def _check_neopro_bin(self):
        for partner in self.filtered('neopro_bin'):
            if not (partner.neopro_bin.isdigit() and len(partner.neopro_bin) == 12):
                raise ValidationError(_('%s: the BIN must be 12 digits, not "%s".')
                                      % (partner.name, partner.neopro_bin))
            if not kz_id.is_valid(partner.neopro_bin):
                raise ValidationError(_('%s: the BIN "%s" is wrong: its check digit (the last one) does not match '
                                        'the first 11 digits.') % (partner.name, partner.neopro_bin))

    @api.onchange('neopro_premise_id')
    def _onchange_neopro_premise_id(self):
        if self.neopro_premise_id:
            self.neopro_house_id = self.neopro_premise_id.house_id

    @api.model
    def name_search(self, name, args=None, operator='ilike', limit=100):
        """Contractors are also found by account number (theirs or a contract's), address or meter serial number.

        res.partner overrides name_search itself (an SQL query on names), so _name_search is not reached.
        """
        if name and self.env.context.get('neopro_contractor_search'):
            args = list(args or []) + [
                '|', '|', '|', '|', ('neopro_account_number', '=like', name + '%'),
                ('neopro_contract_ids.account_number', '=like', name + '%'), ('name', operator, name),
                ('neopro_address', operator, name),
                ('neopro_contract_ids.metering_point_ids.meter_ids.serial_number', '=like', name + '%')]
            return self.search(args, limit=limit).name_get()
        return super(ResPartner, self).name_search(name, args=args, operator=operator, limit=limit)
