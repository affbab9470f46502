from odoo import fields, models


class ResUsers(models.Model):
    _inherit = 'res.users'

    neopro_branch_ids = fields.Many2many('neopro.branch', 'neopro_branch_res_users_rel', 'user_id', 'branch_id',
                                         string='Billing branches',
                                         help='Branches whose accounts the user works with '
                                              '(billing administrators and accountants see every branch).')

    def write(self, vals):
        res = super(ResUsers, self).write(vals)
        if 'neopro_branch_ids' in vals:
            # record rules read the branches and are cached per user
            self.env['ir.rule'].clear_caches()
        return res
