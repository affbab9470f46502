from odoo.exceptions import AccessError, UserError

from .common import NeoproCase


class TestUserWizard(NeoproCase):

    def _wizard(self, **vals):
        values = {'name': 'Айгуль Серикова', 'login': 'aigul', 'role': 'operator', 'password': 'Secret-123',
                  'password_confirm': 'Secret-123', 'branch_ids': [(6, 0, self.branch1.ids)]}
        values.update(vals)
        return self.env['neopro.user.wizard'].create(values)

    def test_creates_operator_of_branch(self):
        action = self._wizard().action_create()
        user = self.env['res.users'].browse(action['res_id'])
        self.assertEqual(user.login, 'aigul')
        self.assertEqual(user.neopro_role, 'operator')
        self.assertEqual(user.neopro_branch_ids, self.branch1)
        self.assertIn(self.env.ref('base.group_user'), user.groups_id)
        self.assertNotIn(self.env.ref('neopro_billing.group_accountant'), user.groups_id)
        # the password works
        self.env['res.users'].sudo(user).check_credentials('Secret-123')

    def test_role_of_administrator_wins(self):
        action = self._wizard(login='boss', role='administrator', branch_ids=[(5,)]).action_create()
        self.assertEqual(self.env['res.users'].browse(action['res_id']).neopro_role, 'administrator')

    def test_refusals(self):
        with self.assertRaisesRegex(UserError, 'passwords differ'):
            self._wizard(password_confirm='other').action_create()
        with self.assertRaisesRegex(UserError, 'password policy'):
            self._wizard(password='secret', password_confirm='secret').action_create()
        with self.assertRaisesRegex(UserError, 'at least one branch'):
            self._wizard(branch_ids=[(5,)]).action_create()
        self._wizard().action_create()
        with self.assertRaisesRegex(UserError, 'taken already'):
            self._wizard(name='Другая').action_create()

    def test_only_administrators_create_users(self):
        operator = self._wizard(login='op').action_create()
        user = self.env['res.users'].browse(operator['res_id'])
        wizard = self.env['neopro.user.wizard'].sudo(user).create({
            'name': 'X', 'login': 'x', 'role': 'administrator', 'password': 'Abcdefg1', 'password_confirm': 'Abcdefg1'})
        with self.assertRaises(AccessError):
            wizard.action_create()
        self.assertFalse(self.env['res.users'].search([('login', '=', 'x')]))

    def test_password_policy_on_change(self):
        action = self._wizard(login='pw').action_create()
        user = self.env['res.users'].browse(action['res_id'])
        with self.assertRaisesRegex(UserError, 'uppercase'):
            user.write({'password': 'lowercase1'})
        user.write({'password': 'Better-Secret-2'})
        self.env['res.users'].sudo(user).check_credentials('Better-Secret-2')
