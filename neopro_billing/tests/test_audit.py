"""Audit trail (issue 6): who changed money, tariffs, norms, readings and accounts, when, old → new."""
from .common import BillingCase


class TestAudit(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestAudit, cls).setUpClass()
        cls.sub = cls._create_billed_subscriber('AUD-1')
        cls.operator = cls._create_user('audit_operator', ['group_operator'], cls.branch1)

    def _last_message(self, record):
        message = record.message_ids[:1]
        return message.body, message.author_id

    def test_manual_correction_added_changed_deleted(self):
        Operation = self.env['neopro.operation'].sudo(self.operator)
        op = Operation.create({
            'operation_type': 'correction', 'subscriber_id': self.sub.id, 'amount': 34.0, 'date': '2023-03-04',
            'correction_type_id': self.env.ref('neopro_billing.correction_type_error').id, 'name': 'Misread'})
        body, author = self._last_message(self.sub)
        self.assertIn('Added: Correction, 34.00, 04.03.2023', body)
        self.assertIn('Misread', body)
        self.assertEqual(author, self.operator.partner_id)
        op.write({'amount': 30.0})
        body, _author = self._last_message(self.sub)
        self.assertIn('Changed: Correction, 34.00, 04.03.2023', body)
        self.assertIn('→ Correction, 30.00, 04.03.2023', body)
        op.sudo().unlink()  # operators may not delete ledger lines: administrators may, with a trace
        self.assertIn('Deleted: Correction, 30.00', self._last_message(self.sub)[0])

    def test_calculation_lines_are_not_posted_one_by_one(self):
        before = len(self.sub.message_ids)
        self.period.action_calculate()
        self.assertTrue(self.env['neopro.operation'].search([('subscriber_id', '=', self.sub.id),
                                                             ('is_auto', '=', True)]))
        self.assertEqual(len(self.sub.message_ids), before)
        self.assertTrue(any('Calculated up to 31.03.2023' in m.body for m in self.period.message_ids))

    def test_reading_changed_and_deleted(self):
        meter = self._create_meter('AUD-M', self.sub, installation_date='2023-01-01')
        reading = self.env['neopro.meter.reading'].create({'meter_id': meter.id, 'date': '2023-03-10', 'value': 12})
        reading.sudo(self.operator).write({'value': 15})
        body, author = self._last_message(meter)
        self.assertIn('Reading changed: 10.03.2023: 12.0 (Subscriber) → 10.03.2023: 15.0 (Subscriber)', body)
        self.assertEqual(author, self.operator.partner_id)
        reading.unlink()
        self.assertIn('Reading deleted: 10.03.2023: 15.0', self._last_message(meter)[0])

    def _tracked(self, record):
        """(field, old, new) of the tracking values of the record's last message."""
        return [(v.field, v.old_value_char or v.old_value_float or v.old_value_integer,
                 v.new_value_char or v.new_value_float or v.new_value_integer)
                for v in record.message_ids[:1].tracking_value_ids]

    def test_tariff_norm_and_subscriber_changes_tracked(self):
        tariff = self.env['neopro.tariff'].search([('category_id', '=', self.category.id),
                                                   ('service_id', '=', self.cold.id)], limit=1)
        old_price = tariff.price
        tariff.price = old_price + 10
        self.assertIn(('price', old_price, old_price + 10), self._tracked(tariff))
        norm = self.env['neopro.norm'].search([('amenity_level_id', '=', self.amenity.id)], limit=1)
        old_volume = norm.volume
        norm.volume = old_volume + 1
        self.assertIn(('volume', old_volume, old_volume + 1), self._tracked(norm))
        old_residents = self.sub.residents
        self.sub.sudo(self.operator).residents = old_residents + 3
        self.assertIn(('residents', old_residents, old_residents + 3), self._tracked(self.sub))
        self.assertEqual(self.sub.message_ids[:1].author_id, self.operator.partner_id)
