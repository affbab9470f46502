from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from ..models.neopro_guard_mixin import local_today
from .common import NeoproCase, utility_today


class TestSubscriber(NeoproCase):
    """Account numbers and names differ from the demo data (12345 Фролов), which may be loaded too."""

    @classmethod
    def setUpClass(cls):
        super(TestSubscriber, cls).setUpClass()
        cls.frolov = cls._create_subscriber('9912345', 'Фролова Степанида', premise=cls.flat45)
        cls.meter = cls._create_meter('T6748', cls.frolov)
        cls.other = cls._create_subscriber('9955555', 'Соколова Светлана', house=cls.house2, branch=cls.branch2)
        cls.today = local_today(cls.env['neopro.subscriber'])
        cls.yesterday = fields.Date.to_string(fields.Date.from_string(cls.today) - timedelta(days=1))

    def _search(self, text):
        """The one search box of the list, limited to this test's accounts."""
        Sub = self.env['neopro.subscriber']
        return [r[0] for r in Sub.name_search(text, args=[('branch_id', 'in', (self.branch1 | self.branch2).ids)])]

    def _connect(self, sub, service, start=False, end=False):
        return self.env['neopro.service.connection'].create({
            'subscriber_id': sub.id, 'service_id': service.id, 'date_start': start, 'date_end': end})

    # person and address

    def test_name_split_and_address(self):
        self.assertEqual(self.frolov.last_name, 'Фролова')
        self.assertEqual(self.frolov.first_name, 'Степанида')
        self.assertEqual(self.frolov.address, 'Testgrad, Test street, 2, 45')
        self.frolov.patronymic = 'Ивановна'
        self.assertEqual(self.frolov.name, 'Фролова Степанида Ивановна')
        self.assertEqual(self.frolov.display_name, '9912345 Фролова Степанида Ивановна')

    def _form_create(self, **typed):
        """Create a subscriber as the web client's form does: defaults, the onchanges of the typed fields, then
        ``create`` with the values of the fields the form shows and may edit (read-only ones are not sent)."""
        from lxml import etree
        Sub = self.env['neopro.subscriber']
        view = Sub.fields_view_get(view_type='form')
        arch = etree.fromstring(view['arch'])
        readonly = {node.get('name') for node in arch.xpath('//field[@readonly="1"]')}
        editable = [name for name, desc in view['fields'].items() if name not in readonly
                    and not desc.get('readonly') and desc['type'] not in ('one2many', 'many2many')]
        self.assertNotIn('name', editable)
        record = Sub.new(dict(Sub.default_get(editable), **typed))
        record._onchange_premise_id()
        record._onchange_house_id()
        vals = record._convert_to_write({name: record[name] for name in editable})
        return Sub.create({name: value for name, value in vals.items() if value or name in typed})

    def test_create_from_the_form_without_full_name(self):
        """Issue 12, item 1: the form sends the surname, first name and patronymic, not the read-only name."""
        self._release_account_numbers('9977001')
        sub = self._form_create(account_number='9977001', last_name='Ахмедов', first_name='Рустам',
                                patronymic='Али оглы', residents=3, category_id=self.category.id,
                                premise_id=self.flat45.id)
        self.assertEqual(sub.name, 'Ахмедов Рустам Али оглы')
        self.assertEqual((sub.last_name, sub.first_name, sub.patronymic), ('Ахмедов', 'Рустам', 'Али оглы'))
        self.assertEqual((sub.house_id, sub.branch_id, sub.residents), (self.house, self.branch1, 3))
        self.assertEqual(sub.display_name, '9977001 Ахмедов Рустам Али оглы')
        self.assertEqual(self.env['neopro.subscriber'].name_search('9977001'), [(sub.id, sub.display_name)])

    def test_create_with_the_surname_only(self):
        self._release_account_numbers('9977002')
        sub = self._form_create(account_number='9977002', last_name='  Ким ', category_id=self.category.id,
                                house_id=self.house2.id)
        self.assertEqual((sub.name, sub.branch_id), ('Ким', self.branch2))

    def test_address_of_a_house_without_apartment(self):
        self.assertEqual(self.other.address, 'Testgrad, Test street, 6')

    def test_account_number_unique(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.env['neopro.subscriber'].create({'account_number': '9912345', 'name': 'Двойник Иван',
                                                  'branch_id': self.branch1.id, 'category_id': self.category.id})

    def test_residents_not_negative(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self.frolov.residents = -1

    def test_iin_must_be_12_digits(self):
        with self.assertRaises(ValidationError):
            self.frolov.iin = '12345'
        self.frolov.iin = '880101300123'
        self.assertEqual(self.frolov.iin, '880101300123')

    def test_apartment_must_be_in_the_house(self):
        with self.assertRaisesRegex(ValidationError, 'apartment 45 is not in the house Testgrad, Test street, 6'):
            self.frolov.house_id = self.house2

    def test_onchange_apartment_sets_house_and_house_sets_branch(self):
        sub = self.env['neopro.subscriber'].new({'premise_id': self.flat45.id})
        sub._onchange_premise_id()
        self.assertEqual(sub.house_id, self.house)
        sub._onchange_house_id()
        self.assertEqual(sub.branch_id, self.branch1)

    def test_meter_count(self):
        self.assertEqual(self.frolov.meter_count, 1)
        self._create_meter('T9854', self.frolov, service=self.hot)
        self.assertEqual(self.frolov.meter_count, 2)
        self.meter.active = False
        self.assertEqual(self.frolov.meter_count, 1)

    # the one search box: ЛС, name, address, meter serial

    def test_search_by_account_number(self):
        self.assertEqual(self._search('9912345'), [self.frolov.id])
        self.assertEqual(self._search('99123'), [self.frolov.id], 'account number prefix')

    def test_search_by_name(self):
        self.assertEqual(self._search('Фролова'), [self.frolov.id])
        self.assertEqual(self._search('степанида'), [self.frolov.id], 'case-insensitive')

    def test_search_by_address(self):
        self.assertEqual(self._search('Test street, 2, 45'), [self.frolov.id])
        self.assertEqual(self._search('Test street, 6'), [self.other.id])

    def test_search_by_meter_serial(self):
        self.assertEqual(self._search('T6748'), [self.frolov.id])

    def test_search_view_box_matches_the_quick_search(self):
        """The list's search box (filter_domain of the search view) finds the same accounts."""
        from lxml import etree

        from odoo.tools.safe_eval import safe_eval
        arch = etree.fromstring(self.env.ref('neopro_billing.neopro_subscriber_view_search').arch)
        filter_domain = arch.xpath('//field[@name="name"]')[0].get('filter_domain')
        for text in ('9912345', 'Фролова', 'Test street, 2, 45', 'T6748'):
            found = self.env['neopro.subscriber'].search(
                safe_eval(filter_domain, {'self': text}) + [('branch_id', 'in', (self.branch1 | self.branch2).ids)])
            self.assertEqual(found, self.frolov, text)

    # services: connect / disconnect with history

    def test_service_ids_write_connects_without_dates(self):
        self.frolov.service_ids = self.cold | self.hot
        self.assertEqual(self.frolov.service_ids, self.cold | self.hot)
        self.assertEqual(len(self.frolov.connection_ids), 2)
        self.assertFalse(any(self.frolov.connection_ids.mapped('date_start')))
        self.assertFalse(any(self.frolov.connection_ids.mapped('date_end')))

    def test_service_ids_write_disconnects_and_keeps_history(self):
        connection = self._connect(self.frolov, self.cold, start='2020-01-01')
        self.assertEqual(self.frolov.service_ids, self.cold)
        self.frolov.write({'service_ids': [(6, 0, [])]})
        self.assertFalse(self.frolov.service_ids)
        self.assertTrue(connection.exists(), 'the connection is kept as history')
        self.assertEqual(connection.date_end, self.yesterday)

    def test_service_ids_reconnect_after_disconnect(self):
        connection = self._connect(self.frolov, self.cold, end='2021-12-31')
        self.assertFalse(self.frolov.service_ids)
        self.frolov.service_ids = self.cold
        self.assertEqual(self.frolov.service_ids, self.cold)
        new = self.frolov.connection_ids - connection
        self.assertEqual(new.date_start, self.today)

    def test_service_ids_disconnect_of_a_connection_made_today_removes_it(self):
        self._connect(self.frolov, self.hot, start=self.today)
        self.frolov.service_ids = self.env['neopro.service']
        self.assertFalse(self.frolov.connection_ids)

    def test_dated_connections_decide_the_current_services(self):
        future = fields.Date.to_string(fields.Date.from_string(utility_today()) + timedelta(days=30))
        self._connect(self.frolov, self.cold, start='2019-01-01', end='2020-12-31')
        self._connect(self.frolov, self.cold, start='2021-01-01')
        self._connect(self.frolov, self.hot, start=future)
        self._connect(self.frolov, self.sewage, start='2019-01-01', end='2019-06-30')
        self.assertEqual(self.frolov.service_ids, self.cold)

    def test_services_follow_connections_made_in_the_same_transaction(self):
        self.assertFalse(self.frolov.service_ids)
        connection = self._connect(self.frolov, self.cold, start='2021-01-01')
        self.assertEqual(self.frolov.service_ids, self.cold)
        connection.date_end = '2021-12-31'
        self.assertFalse(self.frolov.service_ids)

    def test_search_by_connected_service(self):
        self._connect(self.frolov, self.cold, start='2021-01-01')
        self._connect(self.other, self.cold, end='2020-12-31')
        found = self.env['neopro.subscriber'].search([('service_ids', '=', self.cold.id),
                                                      ('id', 'in', (self.frolov | self.other).ids)])
        self.assertEqual(found, self.frolov)

    def test_overlapping_connections_refused(self):
        self._connect(self.frolov, self.cold, start='2021-01-01', end='2021-12-31')
        with self.assertRaisesRegex(ValidationError, 'connected twice'):
            self._connect(self.frolov, self.cold, start='2021-12-31')

    def test_open_connection_overlaps_everything_later(self):
        self._connect(self.frolov, self.cold)
        with self.assertRaisesRegex(ValidationError, 'connected twice'):
            self._connect(self.frolov, self.cold, start='2030-01-01')

    def test_adjacent_connections_and_other_services_allowed(self):
        self._connect(self.frolov, self.cold, start='2021-01-01', end='2021-12-31')
        self._connect(self.frolov, self.cold, start='2022-01-01')
        self._connect(self.frolov, self.hot, start='2021-06-01')
        self._connect(self.other, self.cold, start='2021-06-01')
        self.assertEqual(len(self.frolov.connection_ids), 3)

    def test_disconnection_before_connection_refused(self):
        with self.assertRaises(psycopg2.IntegrityError), mute_logger('odoo.sql_db'):
            self._connect(self.frolov, self.cold, start='2021-01-01', end='2020-12-31')

    def test_connection_branch_follows_the_subscriber(self):
        connection = self._connect(self.frolov, self.cold)
        self.assertEqual(connection.branch_id, self.branch1)
        self.frolov.branch_id = self.branch2
        self.assertEqual(connection.branch_id, self.branch2)

    def test_action_services_opens_the_services_window(self):
        action = self.frolov.action_services()
        self.assertEqual(action['res_id'], self.frolov.id)
        self.assertEqual(action['view_id'], self.env.ref('neopro_billing.neopro_subscriber_view_form_services').id)
        self.assertEqual(action['target'], 'new')

    def test_action_readings_offers_the_subscriber_meters(self):
        action = self.frolov.action_readings()
        self.assertEqual(action['res_model'], 'neopro.reading.history')
        self.assertEqual(action['context']['default_meter_id'], self.meter.id)
