from datetime import timedelta

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from ..models.neopro_guard_mixin import local_today
from .common import NeoproCase, utility_today


def _days(n):
    """Today (as the web client sees it) plus ``n`` days, as a date string."""
    return fields.Date.to_string(_today() + timedelta(days=n))


def _today():
    return fields.Date.from_string(utility_today())


class TestMeter(NeoproCase):

    @classmethod
    def setUpClass(cls):
        super(TestMeter, cls).setUpClass()
        cls.sub = cls._create_subscriber('T-M-1', 'Новикова Анна', premise=cls.flat45)
        cls.meter = cls._create_meter('T6748', cls.sub, service=cls.hot, seal_number='859',
                                      installation_date='2023-04-02', verification_date='2023-04-02',
                                      verification_interval=48)
        cls.Reading = cls.env['neopro.meter.reading']

    def _open_period(self, start='2025-10-01', end='2025-10-31'):
        # the demo data has the current month open: this test opens its own month instead
        self.env.cr.execute("UPDATE neopro_period SET state = 'closed' WHERE state = 'open'")
        self.env['neopro.period'].invalidate_cache()
        return self.env['neopro.period'].create({'date_start': start, 'date_end': end})

    def _read(self, meter, day, value, **vals):
        vals.update({'meter_id': meter.id, 'date': day, 'value': value})
        return self.Reading.create(vals)

    # verification dates

    def test_next_verification_date(self):
        self.assertEqual(self.meter.next_verification_date, '2027-04-02')
        self.meter.verification_interval = 72
        self.assertEqual(self.meter.next_verification_date, '2029-04-02')

    def test_next_verification_date_from_installation(self):
        meter = self._create_meter('T1', self.sub, installation_date='2024-01-31', verification_interval=6)
        self.assertEqual(meter.next_verification_date, '2024-07-31')
        meter2 = self._create_meter('T2', self.sub)
        self.assertFalse(meter2.next_verification_date)

    def _meters_by_next_verification(self):
        """Meters whose next verification is in -1, 0, 10, 30, 31 and 40 days (interval of a year)."""
        meters = {}
        for offset in (-1, 0, 10, 30, 31, 40):
            verified = fields.Date.to_string(_today() + timedelta(days=offset) - relativedelta(years=1))
            meter = self._create_meter('T-due%s' % offset, self.sub, verification_interval=12,
                                       verification_date=verified)
            self.assertEqual(meter.next_verification_date, _days(offset))
            meters[offset] = meter
        return meters

    def test_filter_verification_due_in_30_days(self):
        meters = self._meters_by_next_verification()
        domain = self._get_filter_domain('neopro_billing.neopro_meter_view_search', 'verification_due',
                                         utility_today())
        all_ids = [m.id for m in meters.values()]
        found = self.env['neopro.meter'].search(domain + [('id', 'in', all_ids)])
        self.assertEqual(found, meters[0] | meters[10] | meters[30])

    def test_filter_verification_overdue(self):
        meters = self._meters_by_next_verification()
        domain = self._get_filter_domain('neopro_billing.neopro_meter_view_search', 'verification_overdue',
                                         utility_today())
        found = self.env['neopro.meter'].search(domain + [('id', 'in', [m.id for m in meters.values()])])
        self.assertEqual(found, meters[-1])

    def test_search_by_serial_address_and_seal(self):
        from lxml import etree

        from odoo.tools.safe_eval import safe_eval
        arch = etree.fromstring(self.env.ref('neopro_billing.neopro_meter_view_search').arch)
        other = self._create_meter('T9754', self._create_subscriber('T-M-2', 'Миненков Сергей', house=self.house2),
                                   seal_number='3850')
        scope = [('id', 'in', (self.meter | other).ids)]
        for name, text, meter in (('serial_number', 'T67', self.meter), ('seal_number', '385', other),
                                  ('address', 'Test street, 2, 45', self.meter)):
            node = arch.xpath('//field[@name="%s"]' % name)[0]
            domain = safe_eval(node.get('filter_domain'), {'self': text}) if node.get('filter_domain') \
                else [(name, 'ilike', text)]
            self.assertEqual(self.env['neopro.meter'].search(domain + scope), meter, name)

    # owner

    def test_owner_fields_of_a_subscriber_meter(self):
        self.assertEqual(self.meter.owner_name, 'Новикова Анна')
        self.assertEqual(self.meter.address, 'Testgrad, Test street, 2, 45')
        self.assertEqual(self.meter.branch_id, self.branch1)
        self.sub.branch_id = self.branch2
        self.assertEqual(self.meter.branch_id, self.branch2)

    def test_common_house_meter_attached_to_a_house(self):
        odpu = self._create_meter('T-ODPU', self.house2, is_common_house=True, digits=6)
        self.assertEqual(self.house2.common_meter_ids, odpu)
        self.assertEqual(odpu.address, 'Testgrad, Test street, 6')
        self.assertEqual(odpu.branch_id, self.branch2)
        self.assertFalse(odpu.owner_name)

    def test_onchange_house_marks_common_house(self):
        meter = self.env['neopro.meter'].new({'house_id': self.house.id})
        meter._onchange_house_id()
        self.assertTrue(meter.is_common_house)

    def test_onchange_model_fills_brand_type_digits_and_interval(self):
        brand = self.env['neopro.meter.brand'].create({'name': 'Хроносметр (test)', 'manufacturer': 'Хроносметр'})
        interval = self.env['neopro.verification.interval'].create({'name': '6 years (test)', 'months': 72})
        model = self.env['neopro.meter.model'].create({
            'name': 'СВЭУ-15 (test)', 'brand_id': brand.id, 'digits': 6,
            'type_id': self.env.ref('neopro_billing.meter_type_ultrasonic').id,
            'verification_interval_id': interval.id})
        meter = self.env['neopro.meter'].new({'model_id': model.id})
        meter._onchange_model_id()
        self.assertEqual(meter.brand_id, brand)
        self.assertEqual(meter.type_id, self.env.ref('neopro_billing.meter_type_ultrasonic'))
        self.assertEqual(meter.manufacturer, 'Хроносметр')
        self.assertEqual(meter.digits, 6)
        self.assertEqual(meter.verification_interval, 72)

    def test_one_owner_only(self):
        with self.assertRaisesRegex(ValidationError, 'not to several'):
            self.meter.house_id = self.house

    def test_digits_range(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.meter.digits = 13

    # readings panel and the editable current-reading cell

    def test_previous_and_current_reading_of_the_open_month(self):
        self._open_period()
        self._read(self.meter, '2025-08-28', 560)
        self._read(self.meter, '2025-09-28', 565)
        self._read(self.meter, '2025-10-20', 571, source='inspector')
        self._read(self.meter, '2025-11-05', 580)
        self.meter.invalidate_cache()
        self.assertEqual(self.meter.previous_value, 565)
        self.assertEqual(self.meter.previous_date, '2025-09-28')
        self.assertEqual(self.meter.current_value, 571)
        self.assertEqual(self.meter.current_date, '2025-10-20')
        self.assertEqual(self.meter.current_source, 'inspector')
        self.assertEqual(self.meter.consumption, 6)

    def test_no_reading_in_the_month_leaves_the_cell_empty(self):
        self._open_period()
        self._read(self.meter, '2025-09-28', 565)
        self.assertEqual(self.meter.previous_value, 565)
        self.assertEqual(self.meter.current_value, 0)
        self.assertFalse(self.meter.current_date)
        self.assertEqual(self.meter.consumption, 0)
        # nobody gave the reading that is not there: the previous one's giver is not shown as the current one's
        self.assertFalse(self.meter.current_source)

    def test_reading_widget_on_every_current_reading(self):
        """The cells of the current reading and consumption use the widget that leaves them empty when no reading
        of the month exists (the web client cannot tell 0 from none), with the date it looks at beside them."""
        from lxml import etree
        for xmlid in ('neopro_meter_view_tree', 'neopro_subscriber_view_form', 'neopro_contract_view_form'):
            arch = etree.fromstring(self.env.ref('neopro_billing.' + xmlid).arch)
            for name in ('current_value', 'consumption'):
                nodes = arch.xpath('//field[@name="%s"]' % name)
                self.assertTrue(nodes, '%s in %s' % (name, xmlid))
                self.assertEqual({node.get('widget') for node in nodes}, {'neopro_reading'}, '%s in %s' % (name, xmlid))
                for node in nodes:
                    self.assertTrue(node.getparent().xpath('field[@name="current_date"]'), xmlid)

    # removed meters

    def test_removed_meter_leaves_the_panels(self):
        kept = self._create_meter('T-KEPT', self.sub, removal_date=_days(1))
        removed = self._create_meter('T-GONE', self.sub, removal_date=_days(0))
        self.assertEqual((kept.in_service, removed.in_service, self.meter.in_service), (True, False, True))
        self.assertEqual(self.sub.meter_in_service_ids, self.meter | kept)
        self.assertIn(removed, self.sub.meter_ids, 'the Services window still lists it, with its removal date')
        Meter = self.env['neopro.meter']
        mine = [('subscriber_id', '=', self.sub.id)]
        self.assertEqual(Meter.search(mine + [('in_service', '=', True)]), self.meter | kept)
        self.assertEqual(Meter.search(mine + [('in_service', '=', False)]), removed)
        self.assertEqual(Meter.search(mine + [('in_service', '!=', True)]), removed)

    def test_meters_list_hides_removed_meters_by_default(self):
        removed = self._create_meter('T-GONE', self.sub, removal_date=_days(0))
        action = self.env.ref('neopro_billing.neopro_meter_action')
        self.assertIn("'search_default_in_service': 1", action.context)
        domain = self._get_filter_domain('neopro_billing.neopro_meter_view_search', 'in_service', utility_today())
        shown = self.env['neopro.meter'].search(domain + [('subscriber_id', '=', self.sub.id)])
        self.assertEqual(shown, self.meter)
        domain = self._get_filter_domain('neopro_billing.neopro_meter_view_search', 'removed', utility_today())
        self.assertEqual(self.env['neopro.meter'].search(domain + [('subscriber_id', '=', self.sub.id)]), removed)

    def test_previous_value_defaults_to_the_initial_value(self):
        self._open_period()
        self.meter.initial_value = 12
        self.assertEqual(self.meter.previous_value, 12)

    def test_consumption_through_a_rollover(self):
        self._open_period()
        self.meter.digits = 4
        self._read(self.meter, '2025-09-28', 9990)
        self._read(self.meter, '2025-10-10', 15)
        self.assertEqual(self.meter.consumption, 25)

    def test_editing_the_cell_saves_a_reading_for_the_open_month(self):
        self._open_period()
        self._read(self.meter, '2025-09-28', 565)
        self.meter.current_value = 571
        reading = self.Reading.search([('meter_id', '=', self.meter.id), ('date', '>=', '2025-10-01')])
        self.assertEqual(len(reading), 1)
        # the open period is in the past: the reading is dated its last day
        self.assertEqual(reading.date, '2025-10-31')
        self.assertEqual(reading.value, 571)
        self.assertEqual(reading.source, 'inspector')
        self.meter.invalidate_cache()
        self.assertEqual(self.meter.consumption, 6)

    def test_editing_the_cell_again_corrects_the_same_reading(self):
        self._open_period()
        self._read(self.meter, '2025-09-28', 565)
        self.meter.current_value = 571
        self.meter.with_context(neopro_reading_source='subscriber').current_value = 570
        readings = self.Reading.search([('meter_id', '=', self.meter.id), ('date', '>=', '2025-10-01')])
        self.assertEqual(readings.mapped('value'), [570])

    def test_editing_the_cell_corrects_a_reading_given_earlier_in_the_month(self):
        self._open_period()
        self._read(self.meter, '2025-09-28', 565)
        self._read(self.meter, '2025-10-12', 580, source='subscriber')
        self.meter.current_value = 571  # a typo of the 12th corrected later: not a second, lower reading
        readings = self.Reading.search([('meter_id', '=', self.meter.id), ('date', '>=', '2025-10-01')])
        self.assertEqual([(r.date, r.value) for r in readings], [('2025-10-12', 571)])

    def test_editing_the_cell_without_period_dates_the_reading_today(self):
        self.meter.current_value = 10
        reading = self.Reading.search([('meter_id', '=', self.meter.id)])
        self.assertEqual(reading.date, utility_today())
        self.assertEqual(reading.value, 10)

    def test_editing_the_cell_with_a_lower_value_is_refused(self):
        self._open_period()
        self._read(self.meter, '2025-09-28', 565)
        with self.assertRaisesRegex(ValidationError, 'lower than the previous reading'):
            self.meter.current_value = 500

    # verification dialog

    def _verify(self, **vals):
        wizard = self.env['neopro.meter.verify'].with_context(default_meter_id=self.meter.id).create(vals)
        return wizard, wizard.action_save()

    def test_verification_dialog_defaults_from_the_meter(self):
        wizard = self.env['neopro.meter.verify'].with_context(default_meter_id=self.meter.id).create({})
        self.assertEqual(wizard.seal_number, '859')
        self.assertTrue(wizard.active)
        self.assertEqual(wizard.owner_name, 'Новикова Анна')
        self.assertEqual(wizard.verification_date, local_today(wizard))

    def test_verification_records_date_seal_and_control_reading(self):
        self._read(self.meter, '2025-09-28', 565)
        wizard, action = self._verify(verification_date='2025-10-28', seal_number='9006',
                                      reading_value=571, reading_date='2025-10-28')
        self.assertEqual(action['type'], 'ir.actions.act_window_close')
        self.assertEqual(self.meter.verification_date, '2025-10-28')
        self.assertEqual(self.meter.seal_number, '9006')
        self.assertEqual(self.meter.next_verification_date, '2029-10-28')
        reading = self.Reading.search([('meter_id', '=', self.meter.id), ('date', '=', '2025-10-28')])
        self.assertEqual(reading.value, 571)
        self.assertEqual(reading.source, 'verification')

    def test_verification_corrects_a_reading_of_the_same_day(self):
        existing = self._read(self.meter, '2025-10-28', 570, source='subscriber')
        self._verify(verification_date='2025-10-28', reading_value=571, reading_date='2025-10-28')
        self.assertEqual(existing.value, 571)
        self.assertEqual(existing.source, 'verification')

    def test_verification_without_reading_writes_no_reading(self):
        self._verify(verification_date='2025-10-28')
        self.assertFalse(self.meter.reading_ids)
        self.assertEqual(self.meter.verification_date, '2025-10-28')

    def test_verification_can_deactivate_the_meter(self):
        self._verify(verification_date='2025-10-28', active=False)
        self.assertFalse(self.meter.active)

    def test_verification_in_the_future_refused(self):
        with self.assertRaisesRegex(UserError, 'cannot be in the future'):
            self._verify(verification_date=_days(2))

    def test_action_verify_opens_the_dialog(self):
        action = self.meter.action_verify()
        self.assertEqual(action['res_model'], 'neopro.meter.verify')
        self.assertEqual(action['context']['default_meter_id'], self.meter.id)

    # reading history over a date range

    def test_reading_history_of_a_date_range(self):
        for day, value in (('2025-06-28', 540), ('2025-07-28', 548), ('2025-08-28', 556), ('2025-09-28', 565)):
            self._read(self.meter, day, value)
        action = self.meter.action_readings()
        wizard = self.env['neopro.reading.history'].with_context(**action['context']).create({
            'date_from': '2025-07-01', 'date_to': '2025-08-31'})
        self.assertEqual(wizard.meter_id, self.meter)
        result = wizard.action_show()
        readings = self.Reading.search(result['domain'])
        self.assertEqual(readings.mapped('value'), [556, 548])

    def test_reading_history_offers_the_other_meters_of_the_account(self):
        """Issue 12, item 3: the meter's domain evaluates as the web client evaluates it (a many2many is its
        list of ids in a domain) and offers the account's meters, only them."""
        from odoo.tools.safe_eval import safe_eval
        cold = self._create_meter('T6749', self.sub, service=self.cold)
        elsewhere = self._create_meter('T6750', self._create_subscriber('T-M-2', 'Другой Абонент'))
        action = self.sub.action_readings()
        wizard = self.env['neopro.reading.history'].with_context(**action['context']).create({})
        domain = safe_eval(wizard._fields['meter_id'].domain, {'meter_ids': wizard.meter_ids.ids})
        offered = self.env['neopro.meter'].name_search('T67', args=domain)
        self.assertEqual(sorted(name for _id, name in offered), ['T6748', 'T6749'])
        self.assertNotIn(elsewhere.id, [meter_id for meter_id, _name in offered])
        wizard.meter_id = cold
        self.assertEqual(wizard.action_show()['domain'][0], ('meter_id', '=', cold.id))
