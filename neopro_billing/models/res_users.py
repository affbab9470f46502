from odoo import api, fields, models

BILLING_ROLES = [
    ('inspector', 'Inspector'),
    ('operator', 'Operator'),
    ('accountant', 'Accountant'),
    ('administrator', 'Administrator'),
]


class ResUsers(models.Model):
    _inherit = 'res.users'

    neopro_branch_ids = fields.Many2many('neopro.branch', 'neopro_branch_res_users_rel', 'user_id', 'branch_id',
                                         string='Billing branches',
                                         help='Branches whose accounts the user works with '
                                              '(billing administrators and accountants see every branch).')
    neopro_role = fields.Selection(BILLING_ROLES, string='Billing role', compute='_compute_neopro_role',
                                   inverse='_inverse_neopro_role',
                                   help='The user\'s billing group: what he sees and may do in the billing.')

    @api.depends('groups_id')
    def _compute_neopro_role(self):
        groups = [(role, self.env.ref('neopro_billing.group_%s' % role)) for role, _label in reversed(BILLING_ROLES)]
        for user in self:
            user.neopro_role = next((role for role, group in groups if group in user.groups_id), False)

    def _inverse_neopro_role(self):
        """The chosen role becomes the user's billing group, with the groups it implies (an operator is an inspector
        too); the other billing groups are taken away."""
        billing_groups = [self.env.ref('neopro_billing.group_%s' % role) for role, _label in BILLING_ROLES]
        for user in self:
            commands = [(3, group.id) for group in billing_groups]
            if user.neopro_role:
                group = self.env.ref('neopro_billing.group_%s' % user.neopro_role)
                commands += [(4, g.id) for g in group | group.trans_implied_ids]
            user.write({'groups_id': commands})

    def write(self, vals):
        res = super(ResUsers, self).write(vals)
        if 'neopro_branch_ids' in vals:
            # record rules read the branches and are cached per user
            self.env['ir.rule'].clear_caches()
        return res
