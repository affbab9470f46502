"""A new subscriber from the form (issue 12, item 14): the next free account number of the operator's branch, only
free apartments, the IIN/BIN checked; a metering point takes only a free meter."""
from odoo.exceptions import ValidationError

from .common import NeoproCase


class TestNewSubscriber(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestNewSubscriber, cls).setUpClass()
        cls.operator = cls._create_user('new_sub_operator', ['group_operator'], cls.branch2)
        cls.flat46 = cls.env['neopro.premise'].create({'house_id': cls.house.id, 'number': '46'})

    def test_operator_gets_his_branch_and_its_next_number(self):
        defaults = self.env['neopro.subscriber'].sudo(self.operator).default_get(['branch_id', 'account_number'])
        self.assertEqual(defaults, {'branch_id': self.branch2.id, 'account_number': 'T200001'})
        sequence = self.branch2.account_sequence_id
        self.assertEqual((sequence.prefix, sequence.padding, sequence.number_next_actual), ('T2', 5, 1))

    def test_proposal_is_not_consumed_until_saved(self):
        Subscriber = self.env['neopro.subscriber'].sudo(self.operator)
        self.assertEqual(Subscriber.default_get(['branch_id', 'account_number'])['account_number'], 'T200001')
        self.assertEqual(Subscriber.default_get(['branch_id', 'account_number'])['account_number'], 'T200001')
        self._create_subscriber('T200001', 'Первый Абонент', branch=self.branch2, house=self.house2)
        self.assertEqual(self.branch2.account_sequence_id.number_next_actual, 2)
        self.assertEqual(Subscriber.default_get(['branch_id', 'account_number'])['account_number'], 'T200002')

    def test_taken_numbers_are_skipped(self):
        """Numbers taken by hand (a subscriber or a contract of any branch) are never proposed."""
        self._create_subscriber('T200001', 'Занятый Один', branch=self.branch1)
        self._create_subscriber('T200002', 'Занятый Два', branch=self.branch1)
        self.assertEqual(self.branch2._get_free_account_number(), 'T200003')
        self.assertEqual(self.branch2.account_sequence_id.number_next_actual, 1, 'other branches move nothing')

    def test_number_typed_ahead_moves_the_sequence(self):
        self._create_subscriber('T200007', 'Впереди Абонент', branch=self.branch2, house=self.house2)
        self.assertEqual(self.branch2._get_free_account_number(), 'T200008')
        self._create_subscriber('A-55', 'Другой Формат', branch=self.branch2, house=self.house2)
        self.assertEqual(self.branch2._get_free_account_number(), 'T200008')

    def test_number_is_editable(self):
        sub = self._create_subscriber('775533', 'Свой Номер', branch=self.branch2, house=self.house2)
        self.assertEqual(sub.account_number, '775533')

    def test_branch_change_proposes_that_branch_number(self):
        sub = self.env['neopro.subscriber'].new({'branch_id': self.branch2.id, 'account_number': 'T200001'})
        sub.branch_id = self.branch1
        sub._onchange_branch_id()
        self.assertEqual(sub.account_number, 'T100001')
        typed = self.env['neopro.subscriber'].new({'branch_id': self.branch2.id, 'account_number': '999-1'})
        typed.branch_id = self.branch1
        typed._onchange_branch_id()
        self.assertEqual(typed.account_number, '999-1', 'a number typed by the operator stays')

    def test_only_free_apartments_offered(self):
        Premise = self.env['neopro.premise']
        self.assertEqual(Premise.search([('house_id', '=', self.house.id), ('is_free', '=', True)]),
                         self.flat45 | self.flat46)
        sub = self._create_subscriber('T-FREE-1', 'Жилец Квартиры', premise=self.flat45)
        self.assertEqual(Premise.search([('house_id', '=', self.house.id), ('is_free', '=', True)]), self.flat46)
        self.assertEqual(Premise.search([('house_id', '=', self.house.id), ('is_free', '=', False)]), self.flat45)
        self.assertEqual((self.flat45.is_free, self.flat46.is_free), (False, True))
        # the form's domain: free apartments of the house, and the subscriber's own
        domain = [('house_id', '=', self.house.id), '|', ('is_free', '=', True), ('id', '=', sub.premise_id.id)]
        self.assertEqual(Premise.search(domain), self.flat45 | self.flat46)
        self.assertIn("('is_free', '=', True)", self.env['neopro.subscriber']._fields['premise_id'].domain)
        sub.active = False  # a closed account frees the apartment
        self.assertTrue(Premise.browse(self.flat45.id).is_free)

    def test_iin_checksum(self):
        sub = self._create_subscriber('T-IIN-1', 'Проверка Иин')
        sub.iin = '880101300123'  # the first weights give 10: the second weights give the check digit 3
        with self.assertRaisesRegex(ValidationError, r'Subscriber T-IIN-1: the IIN/BIN "880101300124" is wrong: '
                                                     r'its check digit \(the last one\) does not match'), \
                self.env.cr.savepoint():
            sub.iin = '880101300124'
        with self.assertRaisesRegex(ValidationError, 'must be 12 digits'), self.env.cr.savepoint():
            sub.iin = '88010130012'
        sub.invalidate_cache()
        self.assertEqual(sub.iin, '880101300123')

    def test_iin_message_in_russian(self):
        sub = self._create_subscriber('T-IIN-2', 'Проверка Русский')
        with self.assertRaisesRegex(ValidationError, 'ИИН/БИН «990140001234» неверен'):
            sub.with_context(lang='ru_RU').iin = '990140001234'

    def test_contractor_bin_checksum(self):
        partner = self.env['res.partner'].create({'name': 'ТОО Проверка', 'is_company': True,
                                                  'neopro_bin': '990140001233'})
        with self.assertRaisesRegex(ValidationError, 'ТОО Проверка: the BIN "990140001234" is wrong'):
            partner.neopro_bin = '990140001234'

    def test_form_buttons_hidden_until_saved(self):
        arch = self.env['neopro.subscriber'].fields_view_get(view_type='form')['arch']
        self.assertIn('<field name="id" invisible="1"', arch)
        self.assertEqual(arch.count('modifiers="{&quot;invisible&quot;: [[&quot;id&quot;, &quot;=&quot;, false]]}"'),
                         arch.count('<button name="action_'))
